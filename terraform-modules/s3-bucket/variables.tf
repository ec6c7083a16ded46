variable "bucket" {
  type        = string
  description = "Bucket name (globally unique, 3-63 lowercase letters, digits, dots, hyphens)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket))
    error_message = "bucket must be 3-63 lowercase letters, digits, dots or hyphens, start and end with a letter or digit, and not look like an IP address."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform delete the bucket with objects in it. Keep false for anything holding real data."
  default     = false
}

variable "versioning" {
  type        = bool
  description = "Keep object versions (needed for replication; protects against overwrites and deletes)."
  default     = true
}

variable "sse_algorithm" {
  type        = string
  description = "Default encryption: \"AES256\" (SSE-S3) or \"aws:kms\" (SSE-KMS, with kms_key_arn or the AWS managed key)."
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "aws:kms", "aws:kms:dsse"], var.sse_algorithm)
    error_message = "sse_algorithm must be \"AES256\", \"aws:kms\" or \"aws:kms:dsse\"."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for SSE-KMS (null: the aws/s3 managed key). Ignored with AES256."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || startswith(coalesce(var.kms_key_arn, "x"), "arn:")
    error_message = "kms_key_arn must be a key ARN."
  }
}

variable "bucket_policy_statements" {
  type        = string
  description = "Extra bucket policy as an IAM policy JSON document (e.g. from aws_iam_policy_document); merged with the module's TLS-only statement."
  default     = null
}

variable "lifecycle_rules" {
  type = list(object({
    id                                     = string
    enabled                                = optional(bool, true)
    prefix                                 = optional(string, "")
    expiration_days                        = optional(number)
    noncurrent_version_expiration_days     = optional(number)
    abort_incomplete_multipart_upload_days = optional(number, 7)
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
    noncurrent_version_transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
  }))
  description = "Lifecycle rules. With none given, one rule still aborts incomplete multipart uploads after 7 days."
  default     = []

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [for t in concat(r.transitions, r.noncurrent_version_transitions) :
    contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"], t.storage_class)]]))
    error_message = "Transition storage_class must be STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, GLACIER_IR or DEEP_ARCHIVE."
  }

  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules)
    error_message = "lifecycle_rules ids must be unique."
  }
}

variable "cors_rules" {
  type = list(object({
    allowed_methods = list(string)
    allowed_origins = list(string)
    allowed_headers = optional(list(string), [])
    expose_headers  = optional(list(string), [])
    max_age_seconds = optional(number, 3000)
  }))
  description = "CORS rules (browser uploads/downloads). Empty: no CORS configuration."
  default     = []

  validation {
    condition     = alltrue(flatten([for r in var.cors_rules : [for m in r.allowed_methods : contains(["GET", "PUT", "POST", "DELETE", "HEAD"], m)]]))
    error_message = "CORS allowed_methods must be among GET, PUT, POST, DELETE, HEAD."
  }
}

variable "queue_notifications" {
  type = list(object({
    queue_arn     = string
    events        = optional(list(string), ["s3:ObjectCreated:*"])
    filter_prefix = optional(string)
    filter_suffix = optional(string)
  }))
  description = "Send event notifications to SQS queues (the queue policy must allow s3.amazonaws.com from this bucket; see the sqs-queue module's allowed_source_arns)."
  default     = []

  validation {
    condition     = alltrue([for n in var.queue_notifications : startswith(n.queue_arn, "arn:") && length(n.events) > 0])
    error_message = "Each queue notification needs a queue ARN and at least one event."
  }
}

variable "replication" {
  type = object({
    destination_bucket_arn = string
    storage_class          = optional(string, "STANDARD")
    replica_kms_key_arn    = optional(string)
    prefix                 = optional(string, "")
  })
  description = "Replicate every new object to another (versioned) bucket, usually in another region, with a role the module creates. Null: no replication."
  default     = null
}

variable "logging" {
  type = object({
    target_bucket = string
    target_prefix = optional(string, "")
  })
  description = "Server access logging to another bucket. Null: off."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}
