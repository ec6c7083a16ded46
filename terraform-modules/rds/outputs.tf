locals {
  primary = local.is_aurora ? null : aws_db_instance.primary[0]
  cluster = local.is_aurora ? aws_rds_cluster.this[0] : null
}

output "identifier" {
  description = "Identifier of the RDS instance or Aurora cluster."
  value       = var.name
}

output "arn" {
  description = "ARN of the RDS instance or Aurora cluster."
  value       = local.is_aurora ? local.cluster.arn : local.primary.arn
}

output "address" {
  description = "Host name of the writer (the instance, or the cluster endpoint)."
  value       = local.is_aurora ? local.cluster.endpoint : local.primary.address
}

output "endpoint" {
  description = "Writer address as host:port."
  value       = "${local.is_aurora ? local.cluster.endpoint : local.primary.address}:${local.port}"
}

output "port" {
  description = "Port the database listens on."
  value       = local.port
}

output "reader_endpoint" {
  description = "Aurora reader endpoint (load-balanced over the readers), or null for RDS instances."
  value       = local.is_aurora ? local.cluster.reader_endpoint : null
}

output "replica_addresses" {
  description = "Host names of the read replicas (RDS instances; empty for Aurora, use reader_endpoint)."
  value       = aws_db_instance.replica[*].address
}

output "instance_identifiers" {
  description = "Identifiers of every DB instance: primary and replicas, or the Aurora instances (CloudWatch DBInstanceIdentifier dimensions)."
  value       = local.is_aurora ? [for instance in aws_rds_cluster_instance.this : instance.identifier] : concat([local.primary.identifier], aws_db_instance.replica[*].identifier)
}

output "database_name" {
  description = "Name of the database created at launch, or null."
  value       = var.database_name
}

output "master_username" {
  description = "Name of the master user."
  value       = var.master_username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master password in (null when the password is passed in)."
  value = var.manage_master_user_password ? (
    local.is_aurora ? one(local.cluster.master_user_secret[*].secret_arn) : one(local.primary.master_user_secret[*].secret_arn)
  ) : null
}

output "security_group_id" {
  description = "ID of the database's security group."
  value       = aws_security_group.this.id
}

output "subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = aws_db_subnet_group.this.name
}

output "parameter_group_name" {
  description = "Name of the DB parameter group (the cluster parameter group for Aurora)."
  value       = local.is_aurora ? aws_rds_cluster_parameter_group.this[0].name : aws_db_parameter_group.this[0].name
}

output "engine" {
  description = "Database engine."
  value       = var.engine
}
