resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "Managed by Terraform"

  # Redeploy whenever anything the stage serves changes.
  triggers = {
    redeployment = sha1(jsonencode([
      var.routes, var.cors, local.resource_ids,
      [for m in aws_api_gateway_method.this : m.id], [for i in aws_api_gateway_integration.this : i.id],
      [for m in aws_api_gateway_method.options : m.id], [for i in aws_api_gateway_integration_response.options : i.id],
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.this, aws_api_gateway_integration.options, aws_api_gateway_integration_response.options]
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:Log group KMS encryption follows var.log_kms_key_arn; CloudWatch Logs encrypts at rest with service keys otherwise
  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Response caching changes API semantics and costs per hour; it is a per-API decision, not a default
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; Lambda proxy integrations do not use them
  #checkov:skip=CKV2_AWS_77:WAF is opt-in (var.web_acl_arn) and its rule set, Log4j AMR included, belongs to the web ACL's owner
  #checkov:skip=CKV2_AWS_29:WAF is opt-in through var.web_acl_arn (a web ACL is owned per account, not per API)
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId   = "$context.requestId", ip = "$context.identity.sourceIp", apiKeyId = "$context.identity.apiKeyId",
      requestTime = "$context.requestTime", httpMethod = "$context.httpMethod", path = "$context.path",
      status      = "$context.status", latency = "$context.responseLatency", integrationError = "$context.integration.error"
    })
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Response caching changes API semantics and costs per hour; it is a per-API decision, not a default
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.execution_logging_level
    data_trace_enabled     = false # full request/response logging would put payloads (and secrets) in logs
    throttling_rate_limit  = var.throttling.rate_limit
    throttling_burst_limit = var.throttling.burst_limit
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.web_acl_arn == null ? 0 : 1

  resource_arn = aws_api_gateway_stage.this.arn
  web_acl_arn  = var.web_acl_arn
}

data "aws_iam_policy_document" "apigw_assume" {
  count = var.create_account_cloudwatch_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = var.create_account_cloudwatch_role ? 1 : 0

  name_prefix        = "apigateway-cloudwatch-"
  assume_role_policy = data.aws_iam_policy_document.apigw_assume[0].json
  tags               = var.tags
}

# What the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy grants, limited to
# API Gateway's own log groups.
data "aws_iam_policy_document" "cloudwatch" {
  count = var.create_account_cloudwatch_role ? 1 : 0

  statement {
    actions = [
      "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
      "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
    ]
    resources = [
      "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:API-Gateway-Execution-Logs_*",
      "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:API-Gateway-Execution-Logs_*:*",
      "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/apigateway/*",
      "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/apigateway/*:*",
    ]
  }

  statement {
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"] # listing has no resource-level scoping
  }
}

data "aws_partition" "current" {}

resource "aws_iam_role_policy" "cloudwatch" {
  count = var.create_account_cloudwatch_role ? 1 : 0

  name   = "push-to-cloudwatch-logs"
  role   = aws_iam_role.cloudwatch[0].id
  policy = data.aws_iam_policy_document.cloudwatch[0].json
}

resource "aws_api_gateway_account" "this" {
  count = var.create_account_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn

  depends_on = [aws_iam_role_policy.cloudwatch]
}
