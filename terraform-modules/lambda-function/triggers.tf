resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = var.sqs_event_sources

  function_name                      = local.invoke_target
  event_source_arn                   = each.value.queue_arn
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  enabled                            = each.value.enabled
  function_response_types            = ["ReportBatchItemFailures"]
  tags                               = var.tags

  depends_on = [aws_iam_role_policy.this]
}

resource "aws_lambda_event_source_mapping" "dynamodb" {
  for_each = var.dynamodb_event_sources

  function_name                  = local.invoke_target
  event_source_arn               = each.value.stream_arn
  starting_position              = each.value.starting_position
  batch_size                     = each.value.batch_size
  maximum_retry_attempts         = each.value.maximum_retry_attempts
  bisect_batch_on_function_error = each.value.bisect_batch_on_function_error
  enabled                        = each.value.enabled
  function_response_types        = ["ReportBatchItemFailures"]
  tags                           = var.tags

  dynamic "destination_config" {
    for_each = local.stream_failure_destinations[each.key] == null ? [] : [local.stream_failure_destinations[each.key]]
    content {
      on_failure {
        destination_arn = destination_config.value
      }
    }
  }

  depends_on = [aws_iam_role_policy.this]
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.eventbridge_rules

  name                = "${var.function_name}-${each.key}"
  description         = each.value.description
  event_bus_name      = each.value.event_bus_name
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = var.eventbridge_rules

  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = each.value.event_bus_name
  target_id      = "lambda"
  arn            = aws_lambda_alias.this.arn
}

resource "aws_lambda_permission" "eventbridge" {
  for_each = var.eventbridge_rules

  statement_id  = "eventbridge-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  qualifier     = aws_lambda_alias.this.name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

resource "aws_lambda_permission" "triggers" {
  for_each = var.allowed_triggers

  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  qualifier     = aws_lambda_alias.this.name
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}
