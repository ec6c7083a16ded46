locals {
  https                = var.https != null
  default_target_group = coalesce(var.default_target_group, sort(keys(var.target_groups))[0])
  listener_ports       = local.https ? (var.http_listener_enabled ? [80, 443] : [443]) : (var.http_listener_enabled ? [80] : [])

  # Ingress: every allowed source on every listener port. Keys use list positions and map keys,
  # never the values, so sources created in the same run (unknown at plan time) work.
  ingress = merge(
    { for pair in setproduct(range(length(var.ingress_cidr_blocks)), local.listener_ports) : "ipv4-${pair[0]}-${pair[1]}" => { port = pair[1], cidr_ipv4 = var.ingress_cidr_blocks[pair[0]], cidr_ipv6 = null, sg = null } },
    { for pair in setproduct(range(length(var.ingress_ipv6_cidr_blocks)), local.listener_ports) : "ipv6-${pair[0]}-${pair[1]}" => { port = pair[1], cidr_ipv4 = null, cidr_ipv6 = var.ingress_ipv6_cidr_blocks[pair[0]], sg = null } },
    { for pair in setproduct(keys(var.ingress_security_group_ids), local.listener_ports) : "sg-${pair[0]}-${pair[1]}" => { port = pair[1], cidr_ipv4 = null, cidr_ipv6 = null, sg = var.ingress_security_group_ids[pair[0]] } },
  )

  # Egress: only target and health-check ports, only towards the targets' network.
  target_ports = distinct(concat(
    [for group in values(var.target_groups) : group.port],
    [for group in values(var.target_groups) : tonumber(group.health_check.port) if group.health_check.port != "traffic-port"],
  ))
  egress_cidrs = var.egress_cidr_blocks != null ? var.egress_cidr_blocks : [data.aws_vpc.this[0].cidr_block]
  egress       = { for pair in setproduct(range(length(local.egress_cidrs)), local.target_ports) : "${pair[0]}-${pair[1]}" => { cidr = local.egress_cidrs[pair[0]], port = pair[1] } }
}

data "aws_vpc" "this" {
  count = var.egress_cidr_blocks == null ? 1 : 0

  id = var.vpc_id
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_20:Port 80 redirects to HTTPS whenever var.https is set; serving HTTP needs the explicit opt-in var.plain_http (internal or test load balancers)
  name               = var.name
  load_balancer_type = "application"
  internal           = var.internal
  subnets            = var.subnet_ids
  security_groups    = [aws_security_group.this.id]

  idle_timeout               = var.idle_timeout
  enable_deletion_protection = var.deletion_protection
  enable_http2               = true
  desync_mitigation_mode     = var.desync_mitigation_mode
  # Malformed header names are a request-smuggling vector; the targets never need them.
  drop_invalid_header_fields = true

  dynamic "access_logs" {
    for_each = var.access_logs != null ? [var.access_logs] : []
    content {
      enabled = true
      bucket  = access_logs.value.bucket
      prefix  = access_logs.value.prefix
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = (var.https != null) != var.plain_http
      error_message = "Set https = { certificate_arn = ... } for HTTPS, or plain_http = true for an HTTP-only load balancer (internal or test use), not both."
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.web_acl_arn != null ? 1 : 0

  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.web_acl_arn
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-alb-"
  description = "Load balancer ${var.name}"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "listener" {
  for_each = local.ingress

  security_group_id            = aws_security_group.this.id
  description                  = "Listener port ${each.value.port}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.sg
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "targets" {
  for_each = local.egress

  security_group_id = aws_security_group.this.id
  description       = "Targets and health checks on port ${each.value.port}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
  tags              = var.tags
}
