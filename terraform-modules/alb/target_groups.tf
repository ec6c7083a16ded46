resource "aws_lb_target_group" "this" {
  for_each = var.target_groups

  name                 = substr("${var.name}-${each.key}", 0, 32)
  vpc_id               = var.vpc_id
  port                 = each.value.port
  protocol             = each.value.protocol
  protocol_version     = each.value.protocol_version
  target_type          = each.value.target_type
  deregistration_delay = each.value.deregistration_delay
  slow_start           = each.value.slow_start

  health_check {
    enabled             = true
    path                = each.value.health_check.path
    matcher             = each.value.health_check.matcher
    port                = each.value.health_check.port
    protocol            = coalesce(each.value.health_check.protocol, each.value.protocol)
    interval            = each.value.health_check.interval
    timeout             = each.value.health_check.timeout
    healthy_threshold   = each.value.health_check.healthy_threshold
    unhealthy_threshold = each.value.health_check.unhealthy_threshold
  }

  stickiness {
    type            = "lb_cookie"
    enabled         = each.value.stickiness_duration != null
    cookie_duration = coalesce(each.value.stickiness_duration, 86400)
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
