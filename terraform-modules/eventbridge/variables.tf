variable "bus_name" {
  type        = string
  description = "Event bus for the rules: a custom bus this module creates (create_bus = true), or an existing one such as \"default\"."
  default     = "default"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,256}$", var.bus_name))
    error_message = "bus_name must be 1-256 letters, digits, dots, hyphens or underscores."
  }
}

variable "create_bus" {
  type        = bool
  description = "Create bus_name as a custom event bus (cannot be \"default\")."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "Customer managed KMS key encrypting events on the created bus. Null: AWS owned key."
  default     = null
}

variable "archive_retention_days" {
  type        = number
  description = "Archive every event of the created bus for replay, this many days (0 = forever). Null: no archive."
  default     = null

  validation {
    condition     = var.archive_retention_days == null || try(var.archive_retention_days >= 0, false)
    error_message = "archive_retention_days must be 0 (forever) or more."
  }
}

variable "allowed_account_ids" {
  type        = list(string)
  description = "Other AWS accounts allowed to put events on the created bus."
  default     = []

  validation {
    condition     = alltrue([for a in var.allowed_account_ids : can(regex("^\\d{12}$", a))])
    error_message = "allowed_account_ids must be 12-digit account IDs."
  }
}

variable "rules" {
  type = map(object({
    description         = optional(string, "")
    event_pattern       = optional(string)
    schedule_expression = optional(string)
    enabled             = optional(bool, true)
    targets = map(object({
      arn                = string
      role_arn           = optional(string)
      input              = optional(string)
      input_path         = optional(string)
      dead_letter_arn    = optional(string)
      max_retry_attempts = optional(number, 185)
      max_event_age      = optional(number, 86400)
      lambda_permission  = optional(bool, false)
    }))
  }))
  description = <<-EOT
    Rules by name, each with an event_pattern (JSON) or a schedule_expression (default bus only), and targets by id.
    Targets: arn (Lambda, SQS, SNS, Step Functions...), role_arn where the target type needs one, input or input_path
    to reshape the event, a dead_letter_arn (SQS) for events that could not be delivered, retry limits.
    lambda_permission = true adds the invoke permission for a Lambda target (arn may be alias-qualified).
    SQS/SNS targets need their own resource policy allowing events.amazonaws.com from the rule ARN.
  EOT

  validation {
    condition     = alltrue([for r in values(var.rules) : (r.event_pattern == null) != (r.schedule_expression == null)])
    error_message = "Each rule needs exactly one of event_pattern or schedule_expression."
  }

  validation {
    condition     = alltrue([for r in values(var.rules) : r.event_pattern == null || can(jsondecode(r.event_pattern))])
    error_message = "event_pattern must be a JSON document."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for t in values(r.targets) : t.max_retry_attempts >= 0 && t.max_retry_attempts <= 185 && t.max_event_age >= 60 && t.max_event_age <= 86400]]))
    error_message = "Target max_retry_attempts must be 0-185 and max_event_age 60-86400 seconds."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the bus, archive and rules."
  default     = {}
}
