output "sns_topic_arn" {
  description = "ARN of the topic the alarms notify (created or given)."
  value       = local.topic_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key the module created for the topic, or null."
  value       = local.create_key ? aws_kms_key.this[0].arn : null
}

output "alarm_arns" {
  description = "Alarm ARNs by alarm name (as given in `alarms`)."
  value       = { for alarm_name, alarm in aws_cloudwatch_metric_alarm.this : alarm_name => alarm.arn }
}

output "alarm_names" {
  description = "Full CloudWatch alarm names by alarm name."
  value       = { for alarm_name, alarm in aws_cloudwatch_metric_alarm.this : alarm_name => alarm.alarm_name }
}

output "dashboard_name" {
  description = "Name of the dashboard, or null."
  value       = var.create_dashboard ? aws_cloudwatch_dashboard.this[0].dashboard_name : null
}

output "dashboard_arn" {
  description = "ARN of the dashboard, or null."
  value       = var.create_dashboard ? aws_cloudwatch_dashboard.this[0].dashboard_arn : null
}
