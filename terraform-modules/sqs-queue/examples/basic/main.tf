# A standard queue with its dead-letter queue, SSE on, that S3 (any bucket of this account's
# naming) may send notifications to.
variable "name" {
  type        = string
  description = "Name prefix (the tests pass a unique one)."
  default     = "example-queue"
}

module "queue" {
  source = "../.."

  name                       = var.name
  visibility_timeout_seconds = 60
  max_receive_count          = 3
  allowed_source_arns = [
    { service = "s3.amazonaws.com", source_arn = "arn:aws:s3:::${var.name}-uploads" },
  ]
  tags = { Environment = "example" }
}

output "queue_url" {
  description = "URL of the example queue."
  value       = module.queue.queue_url
}

output "dlq_arn" {
  description = "ARN of the example dead-letter queue."
  value       = module.queue.dlq_arn
}
