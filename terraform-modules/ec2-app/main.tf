locals {
  # One shape for both ways of declaring hosts, so every resource below iterates a single map.
  generated_hosts = {
    for index in range(var.instance_count) : format("%s-%d", var.name, index + 1) => {
      subnet_id      = var.subnet_ids[index % length(var.subnet_ids)]
      instance_type  = null
      ami_id         = null
      private_ip     = null
      user_data      = null
      ansible_groups = []
      tags           = {}
    }
  }
  hosts = length(var.hosts) > 0 ? var.hosts : local.generated_hosts

  key_name = var.ssh_public_key != null ? aws_key_pair.this[0].key_name : var.key_name
}

resource "aws_key_pair" "this" {
  count = var.ssh_public_key != null ? 1 : 0

  key_name   = var.name
  public_key = var.ssh_public_key
  tags       = var.tags
}

resource "aws_instance" "this" {
  for_each = local.hosts

  ami                         = coalesce(each.value.ami_id, var.ami_id)
  instance_type               = coalesce(each.value.instance_type, var.instance_type)
  subnet_id                   = coalesce(each.value.subnet_id, var.subnet_ids[0])
  private_ip                  = each.value.private_ip
  associate_public_ip_address = var.associate_public_ip_address
  vpc_security_group_ids      = concat([aws_security_group.this.id], var.additional_security_group_ids)
  iam_instance_profile        = aws_iam_instance_profile.this.name
  key_name                    = local.key_name
  user_data                   = each.value.user_data != null ? each.value.user_data : var.user_data
  user_data_replace_on_change = var.user_data_replace_on_change
  monitoring                  = var.detailed_monitoring
  ebs_optimized               = true
  disable_api_termination     = var.disable_api_termination

  # IMDSv2 only: session tokens stop SSRF-style credential theft through the metadata service.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.metadata_hop_limit
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    volume_size           = var.root_volume_size
    volume_type           = var.root_volume_type
    encrypted             = true
    kms_key_id            = var.kms_key_id
    delete_on_termination = true
    tags                  = merge(var.tags, each.value.tags, { Name = each.key })
  }

  tags = merge(var.tags, each.value.tags, { Name = each.key })

  lifecycle {
    # A new AMI in a lookup should not silently rebuild running hosts; replace them deliberately.
    ignore_changes = [ami]
  }
}
