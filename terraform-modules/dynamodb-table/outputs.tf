output "table_name" {
  description = "Name of the table."
  value       = local.table.name
}

output "table_arn" {
  description = "ARN of the table."
  value       = local.table.arn
}

output "index_arns" {
  description = "ARNs of the global secondary indexes, by index name (for IAM policies on Query)."
  value       = { for g in var.global_secondary_indexes : g.name => "${local.table.arn}/index/${g.name}" }
}

output "stream_arn" {
  description = "ARN of the table's stream (for a Lambda event source), or null when streams are off."
  value       = var.stream_view_type == null ? null : local.table.stream_arn
}

output "stream_label" {
  description = "Timestamp label of the stream, or null when streams are off."
  value       = var.stream_view_type == null ? null : local.table.stream_label
}
