# Target tracking keeps average CPU near the target and manages its own CloudWatch alarms.
resource "aws_autoscaling_policy" "cpu" {
  count = var.cpu_target_value != null ? 1 : 0

  name                      = "${var.name}-cpu-target"
  autoscaling_group_name    = aws_autoscaling_group.this.name
  policy_type               = "TargetTrackingScaling"
  estimated_instance_warmup = var.instance_warmup

  target_tracking_configuration {
    target_value     = var.cpu_target_value
    disable_scale_in = var.scale_in_disabled

    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}
