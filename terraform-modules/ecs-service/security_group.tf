resource "aws_security_group" "this" {
  name_prefix = "${var.name}-tasks-"
  description = "Tasks of the ${var.name} service"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-tasks" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_security_groups" {
  for_each = {
    for pair in setproduct(keys(var.allowed_security_group_ids), local.container_ports) : "${pair[0]}-${pair[1]}" => {
      source_key = pair[0]
      source     = var.allowed_security_group_ids[pair[0]]
      port       = pair[1]
    }
  }

  security_group_id            = aws_security_group.this.id
  description                  = "Container port ${each.value.port} from ${each.value.source_key}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.source
  tags                         = merge(var.tags, { Name = "${var.name}-tasks-from-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = var.egress_rules

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.ip_protocol == "-1" ? null : each.value.from_port
  to_port                      = each.value.ip_protocol == "-1" ? null : each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_security_group_id
  prefix_list_id               = each.value.prefix_list_id
  tags                         = merge(var.tags, { Name = "${var.name}-tasks-${each.key}" })
}
