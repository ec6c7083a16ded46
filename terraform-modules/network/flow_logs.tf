resource "aws_cloudwatch_log_group" "flow_logs" {
  count = var.flow_logs.enabled ? 1 : 0
  #checkov:skip=CKV_AWS_158:KMS encryption of the log group is opt-in via flow_logs.kms_key_arn; CloudWatch Logs always encrypts at rest with service keys
  #checkov:skip=CKV_AWS_338:Retention defaults to 365 days (flow_logs.retention_in_days, an optional() default checkov cannot resolve); shorter is the caller's explicit choice

  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.flow_logs.retention_in_days
  kms_key_id        = var.flow_logs.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  count = var.flow_logs.enabled ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

# Least privilege: write to this one log group only.
data "aws_iam_policy_document" "flow_logs" {
  count = var.flow_logs.enabled ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  count = var.flow_logs.enabled ? 1 : 0

  name_prefix        = substr("${var.name}-flow-logs-", 0, 38)
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.flow_logs.enabled ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}

resource "aws_flow_log" "this" {
  count = var.flow_logs.enabled ? 1 : 0

  vpc_id          = aws_vpc.this.id
  traffic_type    = var.flow_logs.traffic_type
  log_destination = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn    = aws_iam_role.flow_logs[0].arn
  tags            = merge(var.tags, { Name = "${var.name}-flow-logs" })
}
