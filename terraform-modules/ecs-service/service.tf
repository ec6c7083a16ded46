# Two variants of one service: with autoscaling, desired_count belongs to the scaling policies
# and Terraform must not reset it (ignore_changes cannot be conditional, hence two resources).
resource "aws_ecs_service" "fixed" {
  count = var.autoscaling == null ? 1 : 0

  name                   = var.name
  cluster                = var.cluster_arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.desired_count
  launch_type            = length(var.capacity_provider_strategy) == 0 ? "FARGATE" : null
  platform_version       = var.platform_version
  enable_execute_command = var.enable_execute_command
  wait_for_steady_state  = var.wait_for_steady_state

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = var.load_balancer != null ? var.health_check_grace_period_seconds : null
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true

  # A deployment whose tasks keep failing stops and rolls back to the last working revision.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy
    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.this.id], var.additional_security_group_ids)
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer != null ? [var.load_balancer] : []
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = load_balancer.value.container_name
      container_port   = load_balancer.value.container_port
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_ecs_service" "autoscaled" {
  count = var.autoscaling != null ? 1 : 0

  name                   = var.name
  cluster                = var.cluster_arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.desired_count
  launch_type            = length(var.capacity_provider_strategy) == 0 ? "FARGATE" : null
  platform_version       = var.platform_version
  enable_execute_command = var.enable_execute_command
  wait_for_steady_state  = var.wait_for_steady_state

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = var.load_balancer != null ? var.health_check_grace_period_seconds : null
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy
    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.this.id], var.additional_security_group_ids)
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer != null ? [var.load_balancer] : []
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = load_balancer.value.container_name
      container_port   = load_balancer.value.container_port
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    ignore_changes = [desired_count]
  }
}

locals {
  service = var.autoscaling != null ? aws_ecs_service.autoscaled[0] : aws_ecs_service.fixed[0]
}
