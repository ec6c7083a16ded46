# The fast-api-jwt storage pattern: an uploads bucket notifying an SQS queue on new *.csv
# objects, with CORS for browser uploads, lifecycle tiering, and replication to a second bucket.
variable "name" {
  type        = string
  description = "Name prefix of the example buckets and queue (the tests pass a unique one)."
  default     = "example-storage"
}

module "queue" {
  source = "../../../sqs-queue"

  name       = "${var.name}-uploads"
  create_dlq = false
  allowed_source_arns = [
    { service = "s3.amazonaws.com", source_arn = "arn:aws:s3:::${var.name}-uploads" },
  ]
}

module "replica" {
  source = "../.."

  bucket        = "${var.name}-replica"
  force_destroy = true
}

module "uploads" {
  source = "../.."

  bucket        = "${var.name}-uploads"
  force_destroy = true
  lifecycle_rules = [{
    id                                 = "tiering"
    transitions                        = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER" }]
    noncurrent_version_expiration_days = 90
  }]
  cors_rules = [{
    allowed_methods = ["GET", "PUT"]
    allowed_origins = ["https://app.example.com"]
    allowed_headers = ["*"]
  }]
  queue_notifications = [{ queue_arn = module.queue.queue_arn, filter_suffix = ".csv" }]
  replication         = { destination_bucket_arn = module.replica.bucket_arn }
  tags                = { Environment = "example" }
}

output "bucket_arn" {
  description = "ARN of the example uploads bucket."
  value       = module.uploads.bucket_arn
}
