output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the queue (what SDKs send to)."
  value       = aws_sqs_queue.this.id
}

output "queue_name" {
  description = "Name of the queue, with the .fifo suffix for FIFO queues."
  value       = aws_sqs_queue.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue, or null when create_dlq is false."
  value       = var.create_dlq ? aws_sqs_queue.dlq[0].arn : null
}

output "dlq_url" {
  description = "URL of the dead-letter queue, or null when create_dlq is false."
  value       = var.create_dlq ? aws_sqs_queue.dlq[0].id : null
}

output "dlq_name" {
  description = "Name of the dead-letter queue, or null when create_dlq is false."
  value       = var.create_dlq ? aws_sqs_queue.dlq[0].name : null
}
