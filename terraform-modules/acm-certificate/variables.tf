variable "domain_name" {
  description = "Main domain of the certificate, e.g. example.com or *.example.com."
  type        = string

  validation {
    condition     = can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.domain_name))
    error_message = "domain_name must be a lowercase domain name, optionally starting with *. (wildcard)."
  }
}

variable "subject_alternative_names" {
  description = "More names the certificate covers (e.g. www.example.com, *.example.com)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for san in var.subject_alternative_names : can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", san))])
    error_message = "subject_alternative_names must be lowercase domain names, optionally starting with *. (wildcard)."
  }
}

variable "create_validation_records" {
  description = "Write the DNS validation records into `zone_id`. Turn off when the domain's DNS is elsewhere, then publish the `validation_records` output there."
  type        = bool
  default     = true
}

variable "zone_id" {
  description = "Route 53 public hosted zone that holds the validation records. Required when `create_validation_records` is true."
  type        = string
  default     = null
}

variable "wait_for_validation" {
  description = "Wait until ACM has issued the certificate, so its ARN output is only known once it can be attached to a listener."
  type        = bool
  default     = true
}

variable "validation_timeout" {
  description = "How long to wait for validation, as a Go duration (e.g. 45m)."
  type        = string
  default     = "45m"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.validation_timeout))
    error_message = "validation_timeout must be a duration like 600s, 45m or 1h."
  }
}

variable "key_algorithm" {
  description = "Key algorithm of the certificate."
  type        = string
  default     = "RSA_2048"

  validation {
    condition     = contains(["RSA_2048", "EC_prime256v1", "EC_secp384r1"], var.key_algorithm)
    error_message = "key_algorithm must be RSA_2048, EC_prime256v1 or EC_secp384r1."
  }
}

variable "transparency_logging" {
  description = "Publish the certificate to public Certificate Transparency logs (browsers require it)."
  type        = bool
  default     = true
}

variable "validation_record_ttl" {
  description = "TTL of the validation records in seconds."
  type        = number
  default     = 60
}

variable "tags" {
  description = "Tags for the certificate."
  type        = map(string)
  default     = {}
}
