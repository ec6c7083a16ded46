output "service_name" {
  description = "Name of the service (the ServiceName dimension of its CloudWatch metrics)."
  value       = local.service.name
}

output "service_id" {
  description = "ARN of the service."
  value       = local.service.id
}

output "task_definition_arn" {
  description = "ARN of the current task definition revision."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Family of the task definition."
  value       = aws_ecs_task_definition.this.family
}

output "task_definition_revision" {
  description = "Revision number of the current task definition."
  value       = aws_ecs_task_definition.this.revision
}

output "security_group_id" {
  description = "ID of the tasks' security group; allow it on database and cache ports."
  value       = aws_security_group.this.id
}

output "task_role_arn" {
  description = "ARN of the task role (the application's permissions)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role, for attaching more policies from outside."
  value       = aws_iam_role.task.name
}

output "execution_role_arn" {
  description = "ARN of the task execution role (image pulls, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the containers (stream prefix = container name)."
  value       = aws_cloudwatch_log_group.this.name
}

output "autoscaling_resource_id" {
  description = "Application Auto Scaling resource ID of the service, or null without autoscaling."
  value       = var.autoscaling != null ? aws_appautoscaling_target.this[0].resource_id : null
}
