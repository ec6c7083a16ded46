data "aws_region" "current" {}

locals {
  alarms    = { for alarm in var.alarms : alarm.name => alarm }
  topic_arn = var.create_sns_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = coalesce(each.value.description, "${each.value.namespace} ${each.value.metric_name} ${each.value.comparison_operator} ${each.value.threshold}")
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.extended_statistic == null ? each.value.statistic : null
  extended_statistic  = each.value.extended_statistic
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data
  unit                = each.value.unit

  actions_enabled = true
  alarm_actions   = compact([local.topic_arn])
  ok_actions      = each.value.notify_ok ? compact([local.topic_arn]) : []

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    precondition {
      condition     = var.create_sns_topic || var.sns_topic_arn != null
      error_message = "Alarms need somewhere to notify: keep create_sns_topic or give sns_topic_arn."
    }
  }
}
