locals {
  health_check_type = coalesce(var.health_check_type, length(var.target_group_arns) > 0 ? "ELB" : "EC2")
  propagated_tags   = merge(var.tags, { Name = var.name })
}

# The root device name differs between AMIs (/dev/xvda, /dev/sda1); read it so the encrypted
# root volume settings land on the real root device.
data "aws_ami" "this" {
  filter {
    name   = "image-id"
    values = [var.ami_id]
  }
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  description            = "Launch template of the ${var.name} Auto Scaling group"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  key_name               = var.key_name
  user_data              = var.user_data != null ? base64encode(var.user_data) : null
  ebs_optimized          = true
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  network_interfaces {
    associate_public_ip_address = false
    delete_on_termination       = true
    security_groups             = concat([aws_security_group.this.id], var.additional_security_group_ids)
  }

  # IMDSv2 only: session tokens stop SSRF-style credential theft through the metadata service.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.metadata_hop_limit
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = var.detailed_monitoring
  }

  block_device_mappings {
    device_name = data.aws_ami.this.root_device_name

    ebs {
      volume_size           = var.root_volume_size
      volume_type           = var.root_volume_type
      encrypted             = true
      kms_key_id            = var.kms_key_id
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = local.propagated_tags
  }

  tag_specifications {
    resource_type = "network-interface"
    tags          = local.propagated_tags
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name                      = var.name
  vpc_zone_identifier       = var.subnet_ids
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  target_group_arns         = var.target_group_arns
  health_check_type         = local.health_check_type
  health_check_grace_period = var.health_check_grace_period
  default_instance_warmup   = var.instance_warmup
  wait_for_capacity_timeout = var.wait_for_capacity_timeout
  enabled_metrics           = var.enabled_metrics
  metrics_granularity       = "1Minute"
  termination_policies      = var.termination_policies
  max_instance_lifetime     = var.max_instance_lifetime
  capacity_rebalance        = var.mixed_instances != null ? var.mixed_instances.on_demand_percentage_above_base_capacity < 100 : false

  dynamic "launch_template" {
    for_each = var.mixed_instances == null ? [1] : []
    content {
      id      = aws_launch_template.this.id
      version = aws_launch_template.this.latest_version
    }
  }

  dynamic "mixed_instances_policy" {
    for_each = var.mixed_instances != null ? [var.mixed_instances] : []
    content {
      instances_distribution {
        on_demand_base_capacity                  = mixed_instances_policy.value.on_demand_base_capacity
        on_demand_percentage_above_base_capacity = mixed_instances_policy.value.on_demand_percentage_above_base_capacity
        spot_allocation_strategy                 = mixed_instances_policy.value.spot_allocation_strategy
      }

      launch_template {
        launch_template_specification {
          launch_template_id = aws_launch_template.this.id
          version            = aws_launch_template.this.latest_version
        }

        dynamic "override" {
          for_each = mixed_instances_policy.value.instance_types
          content {
            instance_type = override.value
          }
        }
      }
    }
  }

  dynamic "instance_refresh" {
    for_each = var.instance_refresh != null ? [var.instance_refresh] : []
    content {
      strategy = "Rolling"
      preferences {
        min_healthy_percentage = instance_refresh.value.min_healthy_percentage
        instance_warmup        = var.instance_warmup
      }
    }
  }

  dynamic "tag" {
    for_each = local.propagated_tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    precondition {
      condition     = var.min_size <= var.max_size && (var.desired_capacity == null || (coalesce(var.desired_capacity, var.min_size) >= var.min_size && coalesce(var.desired_capacity, var.min_size) <= var.max_size))
      error_message = "Sizes must satisfy min_size <= desired_capacity <= max_size."
    }
  }
}
