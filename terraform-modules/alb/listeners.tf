# Port 80 with HTTPS on: nothing but a permanent redirect to 443.
resource "aws_lb_listener" "http_redirect" {
  count = var.http_listener_enabled && local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

# Port 80 serving plain HTTP exists only with the explicit opt-in var.plain_http.
resource "aws_lb_listener" "http_forward" {
  #checkov:skip=CKV_AWS_2:Exists only with the explicit opt-in var.plain_http (internal or test load balancers); with var.https port 80 only redirects
  #checkov:skip=CKV_AWS_103:Plain HTTP listener (opt-in var.plain_http) has no TLS policy; the HTTPS listener uses var.ssl_policy, TLS 1.2+ by default
  count = var.http_listener_enabled && !local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[local.default_target_group].arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
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
  serving_listener_arn = local.https ? aws_lb_listener.https[0].arn : (var.http_listener_enabled ? aws_lb_listener.http_forward[0].arn : null)
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
