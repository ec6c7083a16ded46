locals {
  # Families: redis7 / valkey7 / valkey8 from version 7 on, redis6.x and redis5.0 before.
  major  = tonumber(split(".", var.engine_version)[0])
  family = coalesce(var.parameter_group_family, local.major >= 7 ? "${var.engine}${local.major}" : (local.major == 6 ? "redis6.x" : "redis${local.major}.0"))

  auth_token_raw = var.auth_token_secret != null ? data.aws_secretsmanager_secret_version.auth_token[0].secret_string : null
  auth_token = (
    var.auth_token_secret == null ? null :
    var.auth_token_secret.json_key == null ? local.auth_token_raw :
    jsondecode(local.auth_token_raw)[var.auth_token_secret.json_key]
  )
}

data "aws_secretsmanager_secret_version" "auth_token" {
  count = var.auth_token_secret != null ? 1 : 0

  secret_id = var.auth_token_secret.arn
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Subnets of the ${var.name} cache"
  subnet_ids  = var.subnet_ids
  tags        = merge(var.tags, { Name = var.name })
}

resource "aws_elasticache_parameter_group" "this" {
  count = length(var.parameters) > 0 ? 1 : 0

  name        = "${var.name}-${replace(local.family, ".", "-")}"
  description = "Parameters of the ${var.name} cache"
  family      = local.family

  dynamic "parameter" {
    for_each = var.parameters
    content {
      name  = parameter.value.name
      value = parameter.value.value
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-cache-"
  description = "Cache ${var.name}: the cache port from the allowed groups and ranges only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-cache" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_security_groups" {
  for_each = var.allowed_security_group_ids

  security_group_id            = aws_security_group.this.id
  description                  = "Cache port from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = each.value
  tags                         = merge(var.tags, { Name = "${var.name}-cache-from-${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "from_cidrs" {
  count = length(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.this.id
  description       = "Cache port from ${var.allowed_cidr_blocks[count.index]}"
  ip_protocol       = "tcp"
  from_port         = var.port
  to_port           = var.port
  cidr_ipv4         = var.allowed_cidr_blocks[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-cache-from-cidr-${count.index}" })
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = coalesce(var.description, "Redis for ${var.name}")
  engine               = var.engine
  engine_version       = var.engine_version
  node_type            = var.node_type
  num_cache_clusters   = var.num_cache_clusters
  port                 = var.port
  parameter_group_name = length(var.parameters) > 0 ? aws_elasticache_parameter_group.this[0].name : null

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  automatic_failover_enabled = var.automatic_failover_enabled
  multi_az_enabled           = var.multi_az_enabled

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_id
  transit_encryption_enabled = true
  auth_token                 = local.auth_token
  user_group_ids             = length(var.user_group_ids) > 0 ? var.user_group_ids : null

  snapshot_retention_limit   = var.snapshot_retention_limit
  snapshot_window            = var.snapshot_window
  maintenance_window         = var.maintenance_window
  apply_immediately          = var.apply_immediately
  auto_minor_version_upgrade = var.auto_minor_version_upgrade
  notification_topic_arn     = var.notification_topic_arn

  dynamic "log_delivery_configuration" {
    for_each = var.slow_log_group_name != null ? [var.slow_log_group_name] : []
    content {
      destination      = log_delivery_configuration.value
      destination_type = "cloudwatch-logs"
      log_format       = "json"
      log_type         = "slow-log"
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = !var.automatic_failover_enabled || var.num_cache_clusters >= 2
      error_message = "automatic_failover_enabled needs num_cache_clusters >= 2 (turn failover off for a single node)."
    }

    precondition {
      condition     = !var.multi_az_enabled || var.automatic_failover_enabled
      error_message = "multi_az_enabled needs automatic_failover_enabled."
    }

    precondition {
      condition     = var.auth_token_secret == null || length(var.user_group_ids) == 0
      error_message = "Use either auth_token_secret (AUTH token) or user_group_ids (RBAC), not both."
    }
  }
}
