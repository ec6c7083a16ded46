# Aurora: one cluster (storage, endpoints, backups) and its instances.
resource "aws_rds_cluster_parameter_group" "this" {
  count = local.is_aurora ? 1 : 0

  name_prefix = "${var.name}-"
  description = "Cluster parameters of the ${var.name} database"
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

resource "aws_rds_cluster" "this" {
  #checkov:skip=CKV2_AWS_8:Backups are the cluster's automated backups with point-in-time restore (var.backup_retention_period, 1-35 days); AWS Backup plans are an account-wide concern left to a backup stack
  #checkov:skip=CKV2_AWS_27:Query logging comes from the cluster parameter group: for aurora-postgresql local.default_parameters sets log_statement=ddl and log_min_duration_statement=1000 (aurora-mysql gets slow_query_log), which checkov cannot evaluate
  count = local.is_aurora ? 1 : 0

  cluster_identifier = var.name
  engine             = var.engine
  engine_version     = var.engine_version
  engine_mode        = "provisioned"
  database_name      = var.database_name
  port               = local.port

  master_username               = var.master_username
  manage_master_user_password   = var.manage_master_user_password ? true : null
  master_user_secret_kms_key_id = var.manage_master_user_password ? var.master_user_secret_kms_key_id : null
  master_password               = var.manage_master_user_password ? null : var.master_password

  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.this.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this[0].name

  storage_encrypted = true
  kms_key_id        = var.kms_key_id

  backup_retention_period      = var.backup_retention_period
  preferred_backup_window      = var.backup_window
  preferred_maintenance_window = var.maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = var.skip_final_snapshot
  final_snapshot_identifier    = local.final_snapshot_id

  apply_immediately                   = var.apply_immediately
  iam_database_authentication_enabled = var.iam_database_authentication_enabled
  enabled_cloudwatch_logs_exports     = local.log_exports

  dynamic "serverlessv2_scaling_configuration" {
    for_each = var.serverless_v2_scaling != null ? [var.serverless_v2_scaling] : []
    content {
      min_capacity = serverlessv2_scaling_configuration.value.min_capacity
      max_capacity = serverlessv2_scaling_configuration.value.max_capacity
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.manage_master_user_password || var.master_password != null
      error_message = "Set master_password, or leave manage_master_user_password on so RDS keeps the password in Secrets Manager."
    }
  }
}

resource "aws_rds_cluster_instance" "this" {
  for_each = local.is_aurora ? var.aurora_instances : {}

  identifier         = "${var.name}-${each.key}"
  cluster_identifier = aws_rds_cluster.this[0].id
  engine             = aws_rds_cluster.this[0].engine
  engine_version     = aws_rds_cluster.this[0].engine_version
  instance_class     = coalesce(each.value.instance_class, var.instance_class)
  promotion_tier     = each.value.promotion_tier

  db_subnet_group_name = aws_db_subnet_group.this.name
  publicly_accessible  = false
  ca_cert_identifier   = var.ca_cert_identifier

  apply_immediately                     = var.apply_immediately
  auto_minor_version_upgrade            = var.auto_minor_version_upgrade
  copy_tags_to_snapshot                 = true
  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_retention_period = var.performance_insights_enabled ? var.performance_insights_retention_period : null
  performance_insights_kms_key_id       = var.performance_insights_enabled ? var.performance_insights_kms_key_id : null
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = local.monitoring_role_arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
