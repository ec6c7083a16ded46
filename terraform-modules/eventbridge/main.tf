locals {
  bus_name = var.create_bus ? aws_cloudwatch_event_bus.this[0].name : var.bus_name
  targets = merge([for rule, r in var.rules : {
    for id, t in r.targets : "${rule}/${id}" => merge(t, { rule = rule, id = id })
  }]...)
}

resource "aws_cloudwatch_event_bus" "this" {
  count = var.create_bus ? 1 : 0

  name               = var.bus_name
  kms_key_identifier = var.kms_key_arn
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = var.bus_name != "default"
      error_message = "The default bus always exists: set create_bus = false to put rules on it."
    }
  }
}

resource "aws_cloudwatch_event_archive" "this" {
  count = var.create_bus && var.archive_retention_days != null ? 1 : 0

  name             = substr("${var.bus_name}-archive", 0, 48)
  event_source_arn = aws_cloudwatch_event_bus.this[0].arn
  retention_days   = var.archive_retention_days
}

data "aws_iam_policy_document" "bus" {
  count = var.create_bus && length(var.allowed_account_ids) > 0 ? 1 : 0

  statement {
    sid       = "AllowPartnerAccounts"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this[0].arn]
    principals {
      type        = "AWS"
      identifiers = [for a in var.allowed_account_ids : "arn:aws:iam::${a}:root"]
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "this" {
  count = var.create_bus && length(var.allowed_account_ids) > 0 ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.this[0].name
  policy         = data.aws_iam_policy_document.bus[0].json
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.rules

  name                = each.key
  description         = each.value.description
  event_bus_name      = local.bus_name
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  rule           = aws_cloudwatch_event_rule.this[each.value.rule].name
  event_bus_name = local.bus_name
  target_id      = each.value.id
  arn            = each.value.arn
  role_arn       = each.value.role_arn
  input          = each.value.input
  input_path     = each.value.input_path

  retry_policy {
    maximum_retry_attempts       = each.value.max_retry_attempts
    maximum_event_age_in_seconds = each.value.max_event_age
  }

  dynamic "dead_letter_config" {
    for_each = each.value.dead_letter_arn == null ? [] : [each.value.dead_letter_arn]
    content {
      arn = dead_letter_config.value
    }
  }
}

resource "aws_lambda_permission" "this" {
  for_each = { for k, t in local.targets : k => t if t.lambda_permission }

  statement_id  = "eventbridge-${each.value.rule}-${each.value.id}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.arn
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.value.rule].arn
}
