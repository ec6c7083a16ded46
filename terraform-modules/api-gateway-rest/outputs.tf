output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the API (source_arn prefix for Lambda permissions)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the deployed stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage (for WAF associations and alarms)."
  value       = aws_api_gateway_stage.this.arn
}

output "invoke_url" {
  description = "Base URL of the stage, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/v1."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "api_key_ids" {
  description = "IDs of the API keys by name (read a key's value with `aws apigateway get-api-key --include-value`; it is never in outputs)."
  value       = { for k, v in aws_api_gateway_api_key.this : k => v.id }
}

output "usage_plan_id" {
  description = "ID of the usage plan, or null without API keys."
  value       = try(aws_api_gateway_usage_plan.this[0].id, null)
}

output "access_log_group_name" {
  description = "CloudWatch log group receiving the access logs."
  value       = aws_cloudwatch_log_group.access.name
}
