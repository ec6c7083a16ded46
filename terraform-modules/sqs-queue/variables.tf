variable "name" {
  type        = string
  description = "Queue name. A FIFO queue gets the `.fifo` suffix added; its dead-letter queue is named `<name>-dlq`."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,75}$", var.name))
    error_message = "name must be 1-75 characters of letters, digits, hyphens and underscores (without the .fifo suffix)."
  }
}

variable "fifo" {
  type        = bool
  description = "Create a FIFO queue (and a FIFO dead-letter queue)."
  default     = false
}

variable "content_based_deduplication" {
  type        = bool
  description = "FIFO only: deduplicate messages by a SHA-256 of their body."
  default     = false
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "How long a received message stays invisible to other consumers. For a Lambda event source, at least 6 times the function timeout."
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200 (12 hours)."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "How long the queue keeps a message."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "max_message_size" {
  type        = number
  description = "Largest message accepted, in bytes."
  default     = 262144

  validation {
    condition     = var.max_message_size >= 1024 && var.max_message_size <= 262144
    error_message = "max_message_size must be between 1024 and 262144 bytes."
  }
}

variable "delay_seconds" {
  type        = number
  description = "Delay before a new message becomes visible."
  default     = 0

  validation {
    condition     = var.delay_seconds >= 0 && var.delay_seconds <= 900
    error_message = "delay_seconds must be between 0 and 900."
  }
}

variable "receive_wait_time_seconds" {
  type        = number
  description = "Long-polling wait of ReceiveMessage calls (0 = short polling)."
  default     = 20

  validation {
    condition     = var.receive_wait_time_seconds >= 0 && var.receive_wait_time_seconds <= 20
    error_message = "receive_wait_time_seconds must be between 0 and 20."
  }
}

variable "create_dlq" {
  type        = bool
  description = "Create a dead-letter queue and a redrive policy sending messages there after max_receive_count failed receives."
  default     = true
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue."
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "dlq_message_retention_seconds" {
  type        = number
  description = "How long the dead-letter queue keeps a message (default 14 days, the maximum, to leave time to inspect failures)."
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "kms_key_id" {
  type        = string
  description = "KMS key (id, ARN or alias) for SSE-KMS. Null uses SQS-managed encryption (SSE-SQS), which is always on."
  default     = null
}

variable "kms_data_key_reuse_period_seconds" {
  type        = number
  description = "SSE-KMS only: how long SQS reuses a data key before calling KMS again."
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 86400
    error_message = "kms_data_key_reuse_period_seconds must be between 60 and 86400."
  }
}

variable "allowed_source_arns" {
  type = list(object({
    service    = string
    source_arn = string
  }))
  description = "AWS services allowed to send to the queue, each limited to one source ARN (e.g. service = \"s3.amazonaws.com\", source_arn = a bucket ARN). Empty: no queue policy."
  default     = []

  validation {
    condition     = alltrue([for p in var.allowed_source_arns : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p.service)) && startswith(p.source_arn, "arn:")])
    error_message = "Each allowed_source_arns entry needs service like \"s3.amazonaws.com\" and source_arn starting with \"arn:\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}
