variable "name" {
  type        = string
  description = "Name of the secret, e.g. fast-api-jwt/production/jwt-signing-key."

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.name))
    error_message = "name must be 1-512 characters of letters, digits and /_+=.@-."
  }
}

variable "description" {
  type        = string
  description = "What the secret is for."
  default     = "Managed by Terraform"
}

variable "kms_key_id" {
  type        = string
  description = "Customer managed KMS key (ARN, id or alias) encrypting the secret. Null: the aws/secretsmanager managed key."
  default     = null
}

variable "recovery_window_in_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once: only for throwaway environments)."
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "secret_string" {
  type        = string
  description = "Initial value to store. Null with generate_password null: the secret is created empty and filled out of band (the safest: the value never touches terraform)."
  default     = null
  sensitive   = true
}

variable "generate_password" {
  type = object({
    length              = optional(number, 32)
    exclude_punctuation = optional(bool, false)
    exclude_characters  = optional(string, "\"'@/\\")
    json_key            = optional(string)
    json_fields         = optional(map(string), {})
  })
  description = "Generate a random password with Secrets Manager's GetRandomPassword as the initial value. With json_key, the value is a JSON object: json_fields plus the password under json_key (e.g. {username = \"app\"} and json_key = \"password\")."
  default     = null

  validation {
    condition     = var.generate_password == null || try(var.generate_password.length >= 16 && var.generate_password.length <= 4096, false)
    error_message = "generate_password.length must be between 16 and 4096."
  }
}

variable "ignore_value_changes" {
  type        = bool
  description = "Keep terraform from resetting the value after creation (rotation or an operator may change it). Generated passwords are always kept this way."
  default     = true
}

variable "rotation" {
  type = object({
    lambda_arn               = string
    automatically_after_days = optional(number, 30)
  })
  description = "Rotate with this Lambda every N days (at most 90). Null: no rotation."
  default     = null

  validation {
    condition     = var.rotation == null || try(var.rotation.automatically_after_days >= 1 && var.rotation.automatically_after_days <= 90, false)
    error_message = "rotation.automatically_after_days must be between 1 and 90."
  }
}

variable "policy_json" {
  type        = string
  description = "Resource policy JSON (e.g. letting a role in another account read it). Public policies are blocked."
  default     = null
}

variable "replica_regions" {
  type        = list(string)
  description = "Regions to replicate the secret to (for multi-region failover)."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags for the secret."
  default     = {}
}
