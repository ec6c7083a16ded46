variable "name" {
  description = "Prefix of the alarm names (`<name>-<alarm>`), and name of the SNS topic and dashboard."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,200}$", var.name))
    error_message = "name must be 1-200 letters, digits, hyphens or underscores."
  }
}

variable "alarms" {
  description = <<-EOT
    Alarms, one per metric spec. `name` is unique within the list; `dimensions` select the
    resource (e.g. { DBInstanceIdentifier = "db-1" }). Give `statistic` (Average, Sum, Minimum,
    Maximum, SampleCount) or `extended_statistic` (p99, p95.5). Alarms and OK transitions notify the
    SNS topic.
  EOT
  type = list(object({
    name                = string
    description         = optional(string)
    namespace           = string
    metric_name         = string
    dimensions          = optional(map(string), {})
    statistic           = optional(string, "Average")
    extended_statistic  = optional(string)
    comparison_operator = optional(string, "GreaterThanThreshold")
    threshold           = number
    period              = optional(number, 300)
    evaluation_periods  = optional(number, 2)
    datapoints_to_alarm = optional(number)
    treat_missing_data  = optional(string, "missing")
    unit                = optional(string)
    notify_ok           = optional(bool, true)
  }))
  default = []

  validation {
    condition     = length(distinct([for alarm in var.alarms : alarm.name])) == length(var.alarms)
    error_message = "Alarm names must be unique."
  }

  validation {
    condition     = alltrue([for alarm in var.alarms : can(regex("^[a-zA-Z0-9_.-]{1,100}$", alarm.name))])
    error_message = "Alarm names must be 1-100 letters, digits, dots, hyphens or underscores."
  }

  validation {
    condition = alltrue([for alarm in var.alarms : contains([
      "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
    ], alarm.comparison_operator)])
    error_message = "comparison_operator must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold."
  }

  validation {
    condition     = alltrue([for alarm in var.alarms : alarm.extended_statistic != null || contains(["Average", "Sum", "Minimum", "Maximum", "SampleCount"], alarm.statistic)])
    error_message = "statistic must be Average, Sum, Minimum, Maximum or SampleCount (or set extended_statistic such as p99)."
  }

  validation {
    condition     = alltrue([for alarm in var.alarms : contains([10, 20, 30], alarm.period) || (alarm.period >= 60 && alarm.period % 60 == 0)])
    error_message = "period must be 10, 20, 30 or a multiple of 60 seconds."
  }

  validation {
    condition     = alltrue([for alarm in var.alarms : contains(["missing", "ignore", "breaching", "notBreaching"], alarm.treat_missing_data)])
    error_message = "treat_missing_data must be missing, ignore, breaching or notBreaching."
  }

  validation {
    condition     = alltrue([for alarm in var.alarms : alarm.evaluation_periods >= 1 && (alarm.datapoints_to_alarm == null || try(alarm.datapoints_to_alarm <= alarm.evaluation_periods, false))])
    error_message = "evaluation_periods must be at least 1, and datapoints_to_alarm at most evaluation_periods."
  }
}

variable "create_sns_topic" {
  description = "Create an encrypted SNS topic for the alarms. False: notify `sns_topic_arn` instead."
  type        = bool
  default     = true
}

variable "sns_topic_arn" {
  description = "Existing SNS topic to notify when `create_sns_topic` is false."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = <<-EOT
    Customer KMS key encrypting the topic; its policy must let cloudwatch.amazonaws.com use it.
    Null: the module creates such a key (with rotation). The AWS-managed aws/sns key cannot be used:
    CloudWatch alarms cannot publish to topics encrypted with it.
  EOT
  type        = string
  default     = null
}

variable "subscriptions" {
  description = "Subscribers of the created topic: protocol (email, https, sqs, lambda, ...) and endpoint. Email subscriptions stay pending until confirmed."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for subscription in var.subscriptions : contains(["email", "email-json", "http", "https", "sqs", "sms", "lambda", "firehose", "application"], subscription.protocol)])
    error_message = "subscriptions[*].protocol must be email, email-json, http, https, sqs, sms, lambda, firehose or application."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard: the given `dashboard_body`, or one graph per alarm with its threshold plus an alarm status panel."
  type        = bool
  default     = true
}

variable "dashboard_body" {
  description = "Dashboard JSON to use instead of the generated one."
  type        = string
  default     = null

  validation {
    condition     = var.dashboard_body == null || can(jsondecode(var.dashboard_body))
    error_message = "dashboard_body must be JSON."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
