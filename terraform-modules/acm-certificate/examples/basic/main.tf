# A certificate for a domain and its www name, validated through records in a zone made by the
# route53-zone module (the way the SARC-NG dns unit pairs them).
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "acm-certificate-example"
}

module "zone" {
  source = "../../../route53-zone"

  name          = "${var.name}.example.com"
  force_destroy = true
}

module "certificate" {
  source = "../.."

  domain_name               = "${var.name}.example.com"
  subject_alternative_names = ["www.${var.name}.example.com"]
  zone_id                   = module.zone.zone_id

  tags = { Example = "acm-certificate" }
}

output "certificate_arn" {
  description = "ARN of the issued certificate."
  value       = module.certificate.arn
}
