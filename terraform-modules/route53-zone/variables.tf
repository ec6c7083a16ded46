variable "name" {
  description = "Domain name of the hosted zone, e.g. example.com (no trailing dot)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.name))
    error_message = "name must be a lowercase domain name like example.com, without a trailing dot."
  }
}

variable "comment" {
  description = "Comment stored with the hosted zone."
  type        = string
  default     = "Managed by Terraform"
}

variable "vpc_associations" {
  description = "VPCs to attach the zone to, which makes it a private zone. Empty: a public zone."
  type = list(object({
    vpc_id     = string
    vpc_region = optional(string)
  }))
  default = []
}

variable "delegation_set_id" {
  description = "Reusable delegation set for a public zone's name servers. Null: AWS picks them."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Delete every record when destroying the zone. Off so a zone still in use is not removed by accident."
  type        = bool
  default     = false
}

variable "records" {
  description = <<-EOT
    Records by a static key. `name` is relative to the zone ("" or "@" for the apex, "www") or a
    fully qualified name ending in the zone name. Give either `records` (with `ttl`) or `alias`
    (a load balancer, CloudFront distribution or another record).
  EOT
  type = map(object({
    name    = string
    type    = string
    ttl     = optional(number, 300)
    records = optional(list(string))
    alias = optional(object({
      name                   = string
      zone_id                = string
      evaluate_target_health = optional(bool, false)
    }))
    health_check_id = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for record in values(var.records) : (record.records == null) != (record.alias == null)])
    error_message = "Each record needs exactly one of records or alias."
  }

  validation {
    condition     = alltrue([for record in values(var.records) : contains(["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SPF", "SRV", "TXT"], record.type)])
    error_message = "Record type must be one of A, AAAA, CAA, CNAME, DS, MX, NAPTR, NS, PTR, SPF, SRV, TXT."
  }
}

variable "query_log_group_arn" {
  description = "CloudWatch Logs group (in us-east-1, with a resource policy letting route53.amazonaws.com write) for DNS query logging of a public zone. Null: no query logging."
  type        = string
  default     = null
}

variable "dnssec_kms_key_arn" {
  description = "Asymmetric ECC_NIST_P256 KMS key in us-east-1 to sign a public zone with DNSSEC. Null: no DNSSEC (publish the DS record at the registrar after enabling)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the hosted zone."
  type        = map(string)
  default     = {}
}
