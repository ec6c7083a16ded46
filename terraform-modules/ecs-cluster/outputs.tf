output "id" {
  description = "ID (ARN) of the cluster."
  value       = aws_ecs_cluster.this.id
}

output "arn" {
  description = "ARN of the cluster, what services take as their cluster."
  value       = aws_ecs_cluster.this.arn
}

output "name" {
  description = "Name of the cluster (the ClusterName dimension of its CloudWatch metrics)."
  value       = aws_ecs_cluster.this.name
}

output "exec_log_group_name" {
  description = "Log group recording ECS Exec sessions, or null."
  value       = var.execute_command_logging != null ? aws_cloudwatch_log_group.exec[0].name : null
}
