output "replication_group_id" {
  description = "ID of the replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "arn" {
  description = "ARN of the replication group."
  value       = aws_elasticache_replication_group.this.arn
}

output "primary_endpoint_address" {
  description = "Host name of the primary (writes)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint_address" {
  description = "Host name spreading reads over the replicas."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "port" {
  description = "Port the cache listens on."
  value       = var.port
}

output "url" {
  description = "Connection URL without credentials (rediss:// because TLS is always on)."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${var.port}"
}

output "member_clusters" {
  description = "IDs of the cache clusters (nodes) in the group, the CacheClusterId dimension of their CloudWatch metrics."
  value       = sort(tolist(aws_elasticache_replication_group.this.member_clusters))
}

output "security_group_id" {
  description = "ID of the cache's security group."
  value       = aws_security_group.this.id
}

output "subnet_group_name" {
  description = "Name of the cache subnet group."
  value       = aws_elasticache_subnet_group.this.name
}

output "parameter_group_name" {
  description = "Name of the custom parameter group, or null when the engine's default is used."
  value       = length(var.parameters) > 0 ? aws_elasticache_parameter_group.this[0].name : null
}
