locals {
  create_role = var.role_arn == null
  role_arn    = local.create_role ? aws_iam_role.this[0].arn : var.role_arn
  dlq_arn     = var.create_dlq ? aws_sqs_queue.dlq[0].arn : var.dead_letter_target_arn
  # Where event sources invoke: the alias (blue-green) or the unqualified function.
  invoke_target = var.event_sources_invoke == "alias" ? aws_lambda_alias.this.arn : aws_lambda_function.this.function_name
  # Failed stream batches go where the source says, else to the module's dead-letter queue.
  stream_failure_destinations = {
    for key, source in var.dynamodb_event_sources : key => try(coalesce(source.on_failure_destination_arn, local.dlq_arn), null)
  }
  log_group = "/aws/lambda/${var.function_name}"
}

# Created before the function so Lambda never creates it without retention.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Log group KMS encryption follows var.kms_key_arn; CloudWatch Logs encrypts at rest with service keys otherwise
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sqs_queue" "dlq" {
  count = var.create_dlq ? 1 : 0

  name                      = "${var.function_name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:VPC placement is opt-in (var.vpc_config): only functions reaching private resources need it, and it costs cold-start time and NAT
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile the caller owns; packages come from the caller's own build
  #checkov:skip=CKV_AWS_115:Reserved concurrency is per workload (seed: 5 in dev, 100 in prod) and defaults to unreserved; set reserved_concurrent_executions
  #checkov:skip=CKV_AWS_173:Environment variables are encrypted at rest with the AWS managed key by default; kms_key_arn switches to a customer key
  function_name                  = var.function_name
  description                    = var.description
  role                           = local.role_arn
  runtime                        = var.runtime
  handler                        = var.handler
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  layers                         = var.layers
  kms_key_arn                    = var.kms_key_arn
  publish                        = true

  filename          = var.package.local_zip
  source_code_hash  = var.package.local_zip == null ? null : filebase64sha256(var.package.local_zip)
  s3_bucket         = var.package.s3_bucket
  s3_key            = var.package.s3_key
  s3_object_version = var.package.s3_object_version

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  dynamic "dead_letter_config" {
    for_each = local.dlq_arn == null || !var.async_dead_letter ? [] : [local.dlq_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.tags

  # No logging_config block: Lambda logs as Text to /aws/lambda/<function_name> by default, the
  # group created above (with its retention) before the function.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this, aws_iam_role_policy.extra, aws_iam_role_policy_attachment.this]

  lifecycle {
    precondition {
      condition     = !(var.create_dlq && var.dead_letter_target_arn != null)
      error_message = "Set create_dlq = false when giving dead_letter_target_arn."
    }
  }
}

resource "aws_lambda_alias" "this" {
  name             = var.alias_name
  description      = "Traffic entry point of ${var.function_name}; moved to each newly published version"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version

  dynamic "routing_config" {
    for_each = var.alias_routing == null ? [] : [var.alias_routing]
    content {
      additional_version_weights = { (routing_config.value.version) = routing_config.value.weight }
    }
  }
}
