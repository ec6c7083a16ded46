locals {
  # One graph per alarm, two per row, with the threshold drawn in; then the alarms' states.
  alarm_names = sort(keys(local.alarms))
  metric_widgets = [
    for index, alarm_name in local.alarm_names : {
      type   = "metric"
      x      = (index % 2) * 12
      y      = floor(index / 2) * 6
      width  = 12
      height = 6
      properties = {
        title  = alarm_name
        region = data.aws_region.current.name
        view   = "timeSeries"
        period = local.alarms[alarm_name].period
        stat   = coalesce(local.alarms[alarm_name].extended_statistic, local.alarms[alarm_name].statistic)
        metrics = [concat(
          [local.alarms[alarm_name].namespace, local.alarms[alarm_name].metric_name],
          flatten([for key in sort(keys(local.alarms[alarm_name].dimensions)) : [key, local.alarms[alarm_name].dimensions[key]]]),
        )]
        annotations = {
          horizontal = [{ label = "alarm threshold", value = local.alarms[alarm_name].threshold }]
        }
      }
    }
  ]
  status_widget = {
    type   = "alarm"
    x      = 0
    y      = ceil(length(local.alarm_names) / 2) * 6
    width  = 24
    height = 4
    properties = {
      title  = "${var.name} alarms"
      alarms = [for alarm_name in local.alarm_names : aws_cloudwatch_metric_alarm.this[alarm_name].arn]
    }
  }
  generated_dashboard = jsonencode({
    widgets = concat(local.metric_widgets, [for widget in [local.status_widget] : widget if length(local.alarm_names) > 0])
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = var.dashboard_body != null ? var.dashboard_body : local.generated_dashboard
}
