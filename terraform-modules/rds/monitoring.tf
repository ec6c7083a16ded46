# Enhanced Monitoring publishes OS metrics to the RDSOSMetrics log group through this role. The
# inline policy holds what the AWS-managed AmazonRDSEnhancedMonitoringRole grants, nothing more.
data "aws_partition" "current" {}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "monitoring" {
  statement {
    sid       = "EnableCreationAndManagementOfRDSCloudwatchLogGroups"
    actions   = ["logs:CreateLogGroup", "logs:PutRetentionPolicy"]
    resources = ["arn:${data.aws_partition.current.partition}:logs:*:*:log-group:RDS*"]
  }

  statement {
    sid       = "EnableCreationAndManagementOfRDSCloudwatchLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"]
    resources = ["arn:${data.aws_partition.current.partition}:logs:*:*:log-group:RDS*:log-stream:*"]
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  name_prefix        = "${substr(var.name, 0, 24)}-rds-mon-"
  description        = "Enhanced Monitoring of the ${var.name} database"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  name   = "enhanced-monitoring"
  role   = aws_iam_role.monitoring[0].id
  policy = data.aws_iam_policy_document.monitoring.json
}
