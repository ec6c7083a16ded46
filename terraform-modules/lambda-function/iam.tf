data "aws_iam_policy_document" "assume" {
  count = local.create_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = local.create_role ? 1 : 0

  name               = "${var.function_name}-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

# Only what this function's wiring needs, each on its own resources.
data "aws_iam_policy_document" "base" {
  count = local.create_role ? 1 : 0

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid       = "XRay"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"] # X-Ray has no resource-level permissions
    }
  }

  dynamic "statement" {
    for_each = local.dlq_arn == null ? [] : [local.dlq_arn]
    content {
      sid       = "DeadLetter"
      actions   = [startswith(split(":", statement.value)[2], "sns") ? "sns:Publish" : "sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = length(var.sqs_event_sources) > 0 ? [1] : []
    content {
      sid       = "ConsumeQueues"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [for s in values(var.sqs_event_sources) : s.queue_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.dynamodb_event_sources) > 0 ? [1] : []
    content {
      sid       = "ReadStreams"
      actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
      resources = [for s in values(var.dynamodb_event_sources) : s.stream_arn]
    }
  }

  dynamic "statement" {
    for_each = compact([for s in values(var.dynamodb_event_sources) : s.on_failure_destination_arn])
    content {
      actions   = [startswith(split(":", statement.value)[2], "sns") ? "sns:Publish" : "sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "DecryptEnvironment"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = local.create_role ? 1 : 0

  name   = "function-wiring"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.base[0].json
}

resource "aws_iam_role_policy" "extra" {
  for_each = local.create_role ? var.inline_policies : {}

  name   = each.key
  role   = aws_iam_role.this[0].id
  policy = each.value
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.create_role ? var.policy_arns : {}

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}

resource "aws_iam_role_policy_attachment" "vpc" {
  count = local.create_role && var.vpc_config != null ? 1 : 0

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}
