# Port 80: a permanent redirect to HTTPS when there is a certificate, else it serves directly.
resource "aws_lb_listener" "http" {
  count = var.http_listener_enabled ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.this[local.default_target_group].arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.https.ssl_policy
  certificate_arn   = var.https.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[local.default_target_group].arn
  }

  tags = var.tags
}

resource "aws_lb_listener_certificate" "additional" {
  for_each = local.https ? var.https.additional_certificate_arns : {}

  listener_arn    = aws_lb_listener.https[0].arn
  certificate_arn = each.value
}

locals {
  serving_listener_arn = local.https ? aws_lb_listener.https[0].arn : (var.http_listener_enabled ? aws_lb_listener.http[0].arn : null)
}

resource "aws_lb_listener_rule" "this" {
  for_each = var.listener_rules

  listener_arn = local.serving_listener_arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.value.target_group].arn
  }

  dynamic "condition" {
    for_each = length(each.value.path_patterns) > 0 ? [each.value.path_patterns] : []
    content {
      path_pattern {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.host_headers) > 0 ? [each.value.host_headers] : []
    content {
      host_header {
        values = condition.value
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    precondition {
      condition     = local.serving_listener_arn != null
      error_message = "listener_rules need a listener: set https or keep http_listener_enabled."
    }
  }
}
