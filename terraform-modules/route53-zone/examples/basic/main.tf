# A public zone with an apex A record, a www CNAME and an SPF TXT record.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "route53-zone-example"
}

module "zone" {
  source = "../.."

  name = "${var.name}.example.com"
  records = {
    apex = { name = "", type = "A", ttl = 60, records = ["192.0.2.10"] }
    www  = { name = "www", type = "CNAME", records = ["${var.name}.example.com"] }
    spf  = { name = "@", type = "TXT", records = ["v=spf1 -all"] }
  }
  force_destroy = true

  tags = { Example = "route53-zone" }
}

output "zone_id" {
  description = "ID of the example zone."
  value       = module.zone.zone_id
}

output "record_fqdns" {
  description = "Names of the example records."
  value       = module.zone.record_fqdns
}
