locals {
  private = length(var.vpc_associations) > 0

  records = {
    for key, record in var.records : key => merge(record, {
      fqdn = (
        contains(["", "@"], record.name) ? var.name :
        endswith(trimsuffix(record.name, "."), var.name) ? trimsuffix(record.name, ".") :
        "${record.name}.${var.name}"
      )
    })
  }
}

resource "aws_route53_zone" "this" {
  name              = var.name
  comment           = var.comment
  delegation_set_id = local.private ? null : var.delegation_set_id
  force_destroy     = var.force_destroy

  dynamic "vpc" {
    for_each = var.vpc_associations
    content {
      vpc_id     = vpc.value.vpc_id
      vpc_region = vpc.value.vpc_region
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = !local.private || (var.query_log_group_arn == null && var.dnssec_kms_key_arn == null)
      error_message = "Query logging and DNSSEC apply to public zones only; drop them or vpc_associations."
    }
  }
}

resource "aws_route53_record" "this" {
  for_each = local.records

  zone_id         = aws_route53_zone.this.zone_id
  name            = each.value.fqdn
  type            = each.value.type
  ttl             = each.value.alias == null ? each.value.ttl : null
  records         = each.value.records
  health_check_id = each.value.health_check_id

  dynamic "alias" {
    for_each = each.value.alias != null ? [each.value.alias] : []
    content {
      name                   = alias.value.name
      zone_id                = alias.value.zone_id
      evaluate_target_health = alias.value.evaluate_target_health
    }
  }
}

resource "aws_route53_query_log" "this" {
  count = var.query_log_group_arn != null ? 1 : 0

  zone_id                  = aws_route53_zone.this.zone_id
  cloudwatch_log_group_arn = var.query_log_group_arn
}

resource "aws_route53_key_signing_key" "this" {
  count = var.dnssec_kms_key_arn != null ? 1 : 0

  name                       = replace(var.name, ".", "_")
  hosted_zone_id             = aws_route53_zone.this.id
  key_management_service_arn = var.dnssec_kms_key_arn
}

resource "aws_route53_hosted_zone_dnssec" "this" {
  count = var.dnssec_kms_key_arn != null ? 1 : 0

  hosted_zone_id = aws_route53_key_signing_key.this[0].hosted_zone_id
}
