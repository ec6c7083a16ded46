variable "function_name" {
  type        = string
  description = "Name of the function (also names its role, log group and DLQ)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,60}$", var.function_name))
    error_message = "function_name must be 1-60 letters, digits, hyphens or underscores (room is left for suffixes)."
  }
}

variable "description" {
  type        = string
  description = "Description of the function."
  default     = ""
}

variable "runtime" {
  type        = string
  description = "Lambda runtime, e.g. python3.12, nodejs20.x, java21, provided.al2023."
  default     = "python3.12"
}

variable "handler" {
  type        = string
  description = "Entry point, e.g. app.handler."
  default     = "app.handler"
}

variable "architecture" {
  type        = string
  description = "Instruction set: arm64 (Graviton, cheaper per ms) or x86_64."
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "package" {
  type = object({
    local_zip         = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
  })
  description = "Where the code is: local_zip (path to a zip file on the machine running terraform; its hash triggers updates) or s3_bucket + s3_key (+ s3_object_version)."

  validation {
    condition     = (var.package.local_zip != null) != (var.package.s3_bucket != null && var.package.s3_key != null)
    error_message = "Set exactly one of package.local_zip or package.s3_bucket + package.s3_key."
  }
}

variable "memory_size" {
  type        = number
  description = "Memory in MB (CPU scales with it)."
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  type        = number
  description = "Timeout in seconds."
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrent_executions" {
  type        = number
  description = "Concurrency reserved for (and capping) the function; -1 = unreserved, 0 = throttled off."
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or more."
  }
}

variable "environment_variables" {
  type        = map(string)
  description = "Environment variables (no secrets: pass a Secrets Manager ARN and read it at run time)."
  default     = {}
}

variable "kms_key_arn" {
  type        = string
  description = "Customer managed KMS key for the environment variables and log group. Null: AWS managed keys."
  default     = null
}

variable "layers" {
  type        = list(string)
  description = "Layer version ARNs (at most 5)."
  default     = []

  validation {
    condition     = length(var.layers) <= 5
    error_message = "A function takes at most 5 layers."
  }
}

variable "tracing_mode" {
  type        = string
  description = "X-Ray tracing: Active (sample and trace) or PassThrough."
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "vpc_config" {
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  description = "Run inside a VPC (to reach private databases). Null: no VPC."
  default     = null
}

variable "create_dlq" {
  type        = bool
  description = "Create an encrypted SQS dead-letter queue: failed asynchronous invocations (see async_dead_letter) and failed DynamoDB stream batches (unless a source names its own on_failure_destination_arn) land there. Set false when giving dead_letter_target_arn."
  default     = true
}

variable "async_dead_letter" {
  type        = bool
  description = "Send failed asynchronous invocations to the dead-letter queue (the function's dead_letter_config). Set false for a function only invoked by streams, queues or API calls: nothing would ever reach it that way."
  default     = true
}

variable "event_sources_invoke" {
  type        = string
  description = "What SQS and DynamoDB event source mappings invoke: `alias` (the alias, so a deploy moves traffic with it: blue-green) or `latest` (the unqualified function)."
  default     = "alias"

  validation {
    condition     = contains(["alias", "latest"], var.event_sources_invoke)
    error_message = "event_sources_invoke must be alias or latest."
  }
}

variable "dead_letter_target_arn" {
  type        = string
  description = "Existing SQS queue or SNS topic ARN for failed asynchronous invocations."
  default     = null
}

variable "alias_name" {
  type        = string
  description = "Alias pointing at the published version; triggers and event sources target it, so a deploy is a version publish plus an alias move (blue-green)."
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^\\d+$", var.alias_name))
    error_message = "alias_name must start with a letter and hold letters, digits, hyphens or underscores."
  }
}

variable "alias_routing" {
  type = object({
    version = string
    weight  = number
  })
  description = "Canary: send this share (0-1) of the alias traffic to another published version while the rest goes to the new one. Null: all traffic to the new version."
  default     = null

  validation {
    condition     = var.alias_routing == null || try(var.alias_routing.weight > 0 && var.alias_routing.weight < 1, false)
    error_message = "alias_routing.weight must be strictly between 0 and 1."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's log group."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "role_arn" {
  type        = string
  description = "Use this existing execution role instead of creating one (then the module adds no permissions)."
  default     = null
}

variable "inline_policies" {
  type        = map(string)
  description = "Extra inline policies for the created role by name, each a JSON document: what the code calls (tables, buckets...). Keyed so documents may be unknown until apply."
  default     = {}
}

variable "policy_arns" {
  type        = map(string)
  description = "Managed policies to attach to the created role, by a stable key."
  default     = {}
}

variable "sqs_event_sources" {
  type = map(object({
    queue_arn                          = string
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    enabled                            = optional(bool, true)
  }))
  description = "SQS queues to consume, by a stable key. The role gets receive/delete on exactly these queues; failed batches report partial failures."
  default     = {}
}

variable "dynamodb_event_sources" {
  type = map(object({
    stream_arn                     = string
    starting_position              = optional(string, "LATEST")
    batch_size                     = optional(number, 100)
    maximum_retry_attempts         = optional(number, 3)
    bisect_batch_on_function_error = optional(bool, true)
    on_failure_destination_arn     = optional(string)
    enabled                        = optional(bool, true)
  }))
  description = "DynamoDB streams to consume, by a stable key. The role gets stream read on exactly these streams; failed batches (after retries and bisection) go to on_failure_destination_arn, else to the dead-letter queue when there is one."
  default     = {}

  validation {
    condition     = alltrue([for s in values(var.dynamodb_event_sources) : contains(["LATEST", "TRIM_HORIZON"], s.starting_position)])
    error_message = "starting_position must be LATEST or TRIM_HORIZON."
  }
}

variable "eventbridge_rules" {
  type = map(object({
    description         = optional(string, "")
    event_bus_name      = optional(string, "default")
    event_pattern       = optional(string)
    schedule_expression = optional(string)
    enabled             = optional(bool, true)
  }))
  description = "EventBridge rules invoking the function, by rule name suffix: each needs an event_pattern (JSON) or a schedule_expression (default bus only)."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.eventbridge_rules) : (r.event_pattern == null) != (r.schedule_expression == null)])
    error_message = "Each EventBridge rule needs exactly one of event_pattern or schedule_expression."
  }
}

variable "allowed_triggers" {
  type = map(object({
    principal  = string
    source_arn = string
  }))
  description = "Other services allowed to invoke the alias, each limited to a source ARN (e.g. principal = \"apigateway.amazonaws.com\", source_arn = \"<execution arn>/*/*\")."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}
