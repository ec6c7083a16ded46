resource "aws_cloudwatch_log_group" "exec" {
  count = var.execute_command_logging != null ? 1 : 0

  name              = "/aws/ecs/${var.name}/exec"
  retention_in_days = var.execute_command_logging.retention_in_days
  kms_key_id        = var.execute_command_logging.kms_key_arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  dynamic "configuration" {
    for_each = var.execute_command_logging != null ? [var.execute_command_logging] : []
    content {
      execute_command_configuration {
        kms_key_id = configuration.value.kms_key_arn
        logging    = "OVERRIDE"

        log_configuration {
          cloud_watch_encryption_enabled = configuration.value.kms_key_arn != null
          cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec[0].name
        }
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = var.capacity_providers

  dynamic "default_capacity_provider_strategy" {
    for_each = var.default_capacity_provider_strategy
    content {
      capacity_provider = default_capacity_provider_strategy.value.capacity_provider
      weight            = default_capacity_provider_strategy.value.weight
      base              = default_capacity_provider_strategy.value.base
    }
  }
}
