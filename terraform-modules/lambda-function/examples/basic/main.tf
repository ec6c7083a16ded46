# The Spectra worker pattern: an arm64 function with X-Ray, a DLQ, a "live" alias, consuming
# a DynamoDB stream and an SQS queue, and triggered by an EventBridge rule.
# handler.zip holds app.py (committed: terraform cannot zip without the archive provider).
variable "name" {
  type        = string
  description = "Name prefix of the example resources (the tests pass a unique one)."
  default     = "example-worker"
}

module "jobs" {
  source = "../../../dynamodb-table"

  name                = "${var.name}-jobs"
  hash_key            = "job_id"
  attributes          = [{ name = "job_id", type = "S" }]
  stream_view_type    = "NEW_IMAGE"
  deletion_protection = false # example only
}

module "work_queue" {
  source = "../../../sqs-queue"

  name                       = "${var.name}-work"
  create_dlq                 = false
  visibility_timeout_seconds = 180 # 6x the function timeout
}

module "worker" {
  source = "../.."

  function_name = var.name
  description   = "Runs queued jobs"
  package       = { local_zip = "${path.module}/handler.zip" }
  handler       = "app.handler"
  timeout       = 30
  environment_variables = {
    JOBS_TABLE = module.jobs.table_name
  }
  inline_policies = { "jobs-table" = data.aws_iam_policy_document.jobs.json }
  dynamodb_event_sources = {
    jobs = { stream_arn = module.jobs.stream_arn, starting_position = "LATEST" }
  }
  sqs_event_sources = {
    work = { queue_arn = module.work_queue.queue_arn, batch_size = 5 }
  }
  eventbridge_rules = {
    nightly = { description = "Nightly cleanup", schedule_expression = "cron(0 3 * * ? *)" }
  }
  tags = { Environment = "example" }
}

data "aws_iam_policy_document" "jobs" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.jobs.table_arn]
  }
}

output "alias_arn" {
  description = "Alias ARN of the example function."
  value       = module.worker.alias_arn
}
