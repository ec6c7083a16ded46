output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "version" {
  description = "Version published by this apply (the alias points at it)."
  value       = aws_lambda_function.this.version
}

output "alias_name" {
  description = "Name of the alias that triggers and event sources use."
  value       = aws_lambda_alias.this.name
}

output "alias_arn" {
  description = "ARN of the alias: what callers should invoke."
  value       = aws_lambda_alias.this.arn
}

output "alias_invoke_arn" {
  description = "Invoke ARN of the alias, for API Gateway integrations."
  value       = aws_lambda_alias.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the execution role (created or given)."
  value       = local.role_arn
}

output "role_name" {
  description = "Name of the created execution role (to attach more policies), or null when role_arn was given."
  value       = try(aws_iam_role.this[0].name, null)
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter target (created or given), or null."
  value       = local.dlq_arn
}
