locals {
  is_aurora = startswith(var.engine, "aurora-")
  postgres  = contains(["postgres", "aurora-postgresql"], var.engine)
  port      = coalesce(var.port, local.postgres ? 5432 : 3306)

  # postgres 16.4 -> postgres16; mysql 8.0.35 -> mysql8.0; aurora-mysql 8.0.mysql_aurora.3.05.2 -> aurora-mysql8.0
  version_parts = split(".", var.engine_version)
  family_version = (
    local.postgres ? local.version_parts[0] : join(".", slice(local.version_parts, 0, min(2, length(local.version_parts))))
  )
  parameter_group_family = coalesce(var.parameter_group_family, "${var.engine}${local.family_version}")

  # TLS-only connections and slow-query logging unless the caller overrides a parameter by name.
  default_parameters = local.postgres ? [
    { name = "rds.force_ssl", value = "1", apply_method = "pending-reboot" },
    { name = "log_min_duration_statement", value = "1000", apply_method = "pending-reboot" },
    { name = "log_statement", value = "ddl", apply_method = "pending-reboot" },
    ] : [
    { name = "require_secure_transport", value = "ON", apply_method = "pending-reboot" },
    { name = "slow_query_log", value = "1", apply_method = "pending-reboot" },
    { name = "long_query_time", value = "1", apply_method = "pending-reboot" },
  ]
  parameters = merge(
    { for parameter in local.default_parameters : parameter.name => parameter },
    { for parameter in var.parameters : parameter.name => parameter },
  )

  default_log_exports = {
    "postgres"          = ["postgresql", "upgrade"]
    "aurora-postgresql" = ["postgresql"]
    "mysql"             = ["error", "slowquery"]
    "aurora-mysql"      = ["error", "slowquery"]
  }
  log_exports = var.enabled_cloudwatch_logs_exports != null ? var.enabled_cloudwatch_logs_exports : local.default_log_exports[var.engine]

  monitoring_role_arn = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
  final_snapshot_id   = var.skip_final_snapshot ? null : "${var.name}-final"
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Subnets of the ${var.name} database"
  subnet_ids  = var.subnet_ids
  tags        = merge(var.tags, { Name = var.name })
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-db-"
  description = "Database ${var.name}: the database port from the allowed groups and ranges only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_security_groups" {
  for_each = var.allowed_security_group_ids

  security_group_id            = aws_security_group.this.id
  description                  = "Database port from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = each.value
  tags                         = merge(var.tags, { Name = "${var.name}-db-from-${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "from_cidrs" {
  count = length(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.this.id
  description       = "Database port from ${var.allowed_cidr_blocks[count.index]}"
  ip_protocol       = "tcp"
  from_port         = local.port
  to_port           = local.port
  cidr_ipv4         = var.allowed_cidr_blocks[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-db-from-cidr-${count.index}" })
}

resource "aws_db_parameter_group" "this" {
  count = local.is_aurora ? 0 : 1

  name_prefix = "${var.name}-"
  description = "Parameters of the ${var.name} database"
  family      = local.parameter_group_family

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}
