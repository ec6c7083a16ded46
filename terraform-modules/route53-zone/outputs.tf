output "zone_id" {
  description = "ID of the hosted zone."
  value       = aws_route53_zone.this.zone_id
}

output "arn" {
  description = "ARN of the hosted zone."
  value       = aws_route53_zone.this.arn
}

output "name" {
  description = "Domain name of the hosted zone."
  value       = aws_route53_zone.this.name
}

output "name_servers" {
  description = "Name servers to delegate the domain to (public zones)."
  value       = aws_route53_zone.this.name_servers
}

output "private" {
  description = "Whether the zone is private (attached to VPCs)."
  value       = local.private
}

output "record_fqdns" {
  description = "Fully qualified names of the records, by key."
  value       = { for key, record in aws_route53_record.this : key => record.fqdn }
}

output "ds_record" {
  description = "DS record to publish at the registrar when DNSSEC is on, else null."
  value       = var.dnssec_kms_key_arn != null ? aws_route53_key_signing_key.this[0].ds_record : null
}
