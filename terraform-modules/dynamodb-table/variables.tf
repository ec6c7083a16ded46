variable "name" {
  type        = string
  description = "Table name."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 letters, digits, underscores, hyphens or dots."
  }
}

variable "hash_key" {
  type        = string
  description = "Partition key attribute name (must be listed in attributes)."
}

variable "range_key" {
  type        = string
  description = "Sort key attribute name (must be listed in attributes), or null."
  default     = null
}

variable "attributes" {
  type = list(object({
    name = string
    type = string
  }))
  description = "Attribute definitions for every key of the table and its indexes (only key attributes: DynamoDB is schemaless otherwise). type: S, N or B."

  validation {
    condition     = length(var.attributes) > 0 && alltrue([for a in var.attributes : contains(["S", "N", "B"], a.type)])
    error_message = "attributes must list at least the hash key, each with type S, N or B."
  }

  validation {
    condition     = length(distinct([for a in var.attributes : a.name])) == length(var.attributes)
    error_message = "attributes must not repeat a name."
  }
}

variable "global_secondary_indexes" {
  type = list(object({
    name               = string
    hash_key           = string
    range_key          = optional(string)
    projection_type    = optional(string, "ALL")
    non_key_attributes = optional(list(string))
    read_capacity      = optional(number)
    write_capacity     = optional(number)
  }))
  description = "Global secondary indexes. Capacities apply to PROVISIONED tables (default: the table's)."
  default     = []

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], g.projection_type)])
    error_message = "GSI projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    condition     = length(distinct([for g in var.global_secondary_indexes : g.name])) == length(var.global_secondary_indexes)
    error_message = "GSI names must be unique."
  }
}

variable "billing_mode" {
  type        = string
  description = "PAY_PER_REQUEST (on demand) or PROVISIONED (with read/write capacity, optionally autoscaled)."
  default     = "PAY_PER_REQUEST"

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing_mode)
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "read_capacity" {
  type        = number
  description = "PROVISIONED only: read capacity units (the autoscaling minimum when autoscaling is on)."
  default     = 5

  validation {
    condition     = var.read_capacity >= 1
    error_message = "read_capacity must be at least 1."
  }
}

variable "write_capacity" {
  type        = number
  description = "PROVISIONED only: write capacity units (the autoscaling minimum when autoscaling is on)."
  default     = 5

  validation {
    condition     = var.write_capacity >= 1
    error_message = "write_capacity must be at least 1."
  }
}

variable "autoscaling" {
  type = object({
    enabled            = optional(bool, true)
    max_read_capacity  = optional(number, 100)
    max_write_capacity = optional(number, 100)
    target_utilization = optional(number, 70)
    scale_in_cooldown  = optional(number, 60)
    scale_out_cooldown = optional(number, 60)
  })
  description = "PROVISIONED only: target-tracking autoscaling of table and GSI capacity between read/write_capacity and the maxima. Null: off."
  default     = null

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.target_utilization >= 20 && var.autoscaling.target_utilization <= 90, false)
    error_message = "autoscaling.target_utilization must be between 20 and 90 (percent)."
  }
}

variable "point_in_time_recovery" {
  type        = bool
  description = "Continuous backups with point-in-time restore (35 days)."
  default     = true
}

variable "stream_view_type" {
  type        = string
  description = "Enable DynamoDB Streams with this view: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES. Null: streams off."
  default     = null

  validation {
    condition     = var.stream_view_type == null || contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], coalesce(var.stream_view_type, "x"))
    error_message = "stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES (or null)."
  }
}

variable "ttl_attribute" {
  type        = string
  description = "Attribute holding an expiry epoch time; items past it are deleted. Null: TTL off."
  default     = null
}

variable "kms_key_arn" {
  type        = string
  description = "Customer managed KMS key for encryption at rest. Null: the AWS managed key (aws/dynamodb). Encryption is always on."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse DeleteTable until this is turned off."
  default     = true
}

variable "table_class" {
  type        = string
  description = "STANDARD or STANDARD_INFREQUENT_ACCESS."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table_class)
    error_message = "table_class must be STANDARD or STANDARD_INFREQUENT_ACCESS."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the table."
  default     = {}
}
