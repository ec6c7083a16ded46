output "arn" {
  description = "ARN of the certificate; when waiting for validation it is only known once the certificate is issued, so listeners that use it wait too."
  value       = var.wait_for_validation ? aws_acm_certificate_validation.this[0].certificate_arn : aws_acm_certificate.this.arn
}

output "domain_name" {
  description = "Main domain of the certificate."
  value       = aws_acm_certificate.this.domain_name
}

output "status" {
  description = "Status of the certificate when last read (PENDING_VALIDATION, ISSUED, ...)."
  value       = aws_acm_certificate.this.status
}

output "validation_records" {
  description = "DNS records ACM checks, one per distinct name: {name, type, value}. Publish them yourself when create_validation_records is false."
  value = distinct([
    for option in aws_acm_certificate.this.domain_validation_options : {
      name  = option.resource_record_name
      type  = option.resource_record_type
      value = option.resource_record_value
    }
  ])
}

output "validation_record_fqdns" {
  description = "Names of the validation records this module wrote."
  value       = [for record in aws_route53_record.validation : record.fqdn]
}
