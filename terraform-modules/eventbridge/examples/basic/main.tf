# The invoice event bus: a custom bus with a 30-day archive and an "invoice-paid" rule
# delivering to an SQS queue, with a dead-letter queue for undeliverable events.
variable "name" {
  type        = string
  description = "Name prefix of the example resources (the tests pass a unique one)."
  default     = "example-invoice-events"
}

module "payments_queue" {
  source = "../../../sqs-queue"

  name       = "${var.name}-payments"
  create_dlq = true
  allowed_source_arns = [
    { service = "events.amazonaws.com", source_arn = module.events.rule_arns["${var.name}-paid"] },
  ]
}

module "events" {
  source = "../.."

  bus_name               = var.name
  archive_retention_days = 30
  rules = {
    "${var.name}-paid" = {
      description   = "Invoice paid: update payment tracking"
      event_pattern = jsonencode({ source = ["invoice.service"], "detail-type" = ["InvoicePaid"] })
      targets = {
        payments = { arn = module.payments_queue.queue_arn, dead_letter_arn = module.payments_queue.dlq_arn }
      }
    }
  }
  tags = { Environment = "example" }
}

output "bus_arn" {
  description = "ARN of the example bus."
  value       = module.events.bus_arn
}
