output "bus_name" {
  description = "Name of the bus the rules are on."
  value       = local.bus_name
}

output "bus_arn" {
  description = "ARN of the created bus, or null when rules go on an existing bus."
  value       = try(aws_cloudwatch_event_bus.this[0].arn, null)
}

output "rule_arns" {
  description = "ARNs of the rules by name (source_arn for target resource policies)."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "archive_arn" {
  description = "ARN of the event archive, or null."
  value       = try(aws_cloudwatch_event_archive.this[0].arn, null)
}
