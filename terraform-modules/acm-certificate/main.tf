resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"
  key_algorithm             = var.key_algorithm

  options {
    certificate_transparency_logging_preference = var.transparency_logging ? "ENABLED" : "DISABLED"
  }

  tags = merge(var.tags, { Name = var.domain_name })

  lifecycle {
    # A replacement certificate must exist before listeners let go of the old one.
    create_before_destroy = true

    precondition {
      condition     = !var.create_validation_records || var.zone_id != null
      error_message = "create_validation_records needs zone_id (the public hosted zone of the domain)."
    }
  }
}

# example.com and *.example.com share one validation record: allow_overwrite lets both keys
# write it without failing on the duplicate.
resource "aws_route53_record" "validation" {
  for_each = var.create_validation_records ? {
    for option in aws_acm_certificate.this.domain_validation_options : option.domain_name => option
  } : {}

  zone_id         = var.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = var.validation_record_ttl
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = var.wait_for_validation ? 1 : 0

  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = var.create_validation_records ? [for record in aws_route53_record.validation : record.fqdn] : null

  timeouts {
    create = var.validation_timeout
  }
}
