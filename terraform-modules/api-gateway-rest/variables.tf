variable "name" {
  type        = string
  description = "Name of the REST API (also names its stage log group, keys and usage plan)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  type        = string
  description = "Description of the API."
  default     = ""
}

variable "endpoint_type" {
  type        = string
  description = "REGIONAL, EDGE or PRIVATE."
  default     = "REGIONAL"

  validation {
    condition     = contains(["REGIONAL", "EDGE", "PRIVATE"], var.endpoint_type)
    error_message = "endpoint_type must be REGIONAL, EDGE or PRIVATE."
  }
}

variable "routes" {
  type = map(object({
    lambda_invoke_arn    = string
    lambda_function_name = string
    lambda_qualifier     = optional(string)
    authorization        = optional(string, "NONE")
    authorizer_id        = optional(string)
    api_key_required     = optional(bool, true)
    validate             = optional(string, "NONE")
    request_schema       = optional(string)
    request_parameters   = optional(map(bool), {})
  }))
  description = <<-EOT
    Routes by "METHOD /path" (e.g. "GET /invoices/{id}"), each a Lambda proxy integration.
    lambda_invoke_arn: the alias invoke ARN (lambda-function's alias_invoke_arn); lambda_function_name and
    lambda_qualifier (the alias) get an invoke permission limited to this API. validate: NONE, BODY, PARAMS or ALL;
    request_schema: JSON Schema (draft 4) of the JSON body, checked when validate is BODY or ALL;
    request_parameters: e.g. {"method.request.querystring.limit" = false} (true = required).
    Paths have at most 5 segments.
  EOT

  validation {
    condition = alltrue([for k in keys(var.routes) :
      can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) /[A-Za-z0-9._{}+-]*(/[A-Za-z0-9._{}+-]+)*$", k))
    && length(split("/", trim(split(" ", k)[1], "/"))) <= 5])
    error_message = "Route keys must look like \"GET /invoices/{id}\" (method, space, path of at most 5 segments)."
  }

  validation {
    condition     = alltrue([for r in values(var.routes) : contains(["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"], r.authorization) && contains(["NONE", "BODY", "PARAMS", "ALL"], r.validate)])
    error_message = "authorization must be NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS; validate must be NONE, BODY, PARAMS or ALL."
  }

  # An endpoint open to the internet must at least be metered by an API key.
  validation {
    condition     = alltrue([for r in values(var.routes) : r.authorization != "NONE" || r.api_key_required])
    error_message = "A route with authorization = \"NONE\" must have api_key_required = true."
  }
}

variable "cors" {
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    allow_headers     = optional(list(string), ["Content-Type", "Authorization", "X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token"])
    allow_credentials = optional(bool, false)
    max_age_seconds   = optional(number, 600)
  })
  description = "CORS: an OPTIONS preflight (mock integration) on every routed path and CORS headers on API Gateway's own 4XX/5XX responses. The Lambda adds the headers to its own responses. Null: no CORS."
  default     = null

  validation {
    condition     = var.cors == null || try(length(var.cors.allow_origins) == 1, false)
    error_message = "API Gateway answers one Access-Control-Allow-Origin value: give exactly one origin (or \"*\")."
  }
}

variable "stage_name" {
  type        = string
  description = "Name of the deployed stage (part of the URL)."
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be letters, digits, hyphens or underscores."
  }
}

variable "throttling" {
  type = object({
    rate_limit  = optional(number, 100)
    burst_limit = optional(number, 200)
  })
  description = "Stage-wide default throttling (requests per second, burst)."
  default     = {}
}

variable "execution_logging_level" {
  type        = string
  description = "Execution logging to CloudWatch: OFF, ERROR or INFO. Needs the account-level API Gateway CloudWatch role (create_account_cloudwatch_role)."
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.execution_logging_level)
    error_message = "execution_logging_level must be OFF, ERROR or INFO."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the access log group."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "Customer managed KMS key for the access log group, or null."
  default     = null
}

variable "create_account_cloudwatch_role" {
  type        = bool
  description = "Create the role API Gateway uses to write logs and register it in the account settings. That setting is one per account and region: enable it in one stack only."
  default     = false
}

variable "api_keys" {
  type        = list(string)
  description = "Names of API keys to create and attach to the usage plan (values are generated by AWS and never put in outputs)."
  default     = []
}

variable "usage_plan" {
  type = object({
    quota_limit  = optional(number, 10000)
    quota_period = optional(string, "DAY")
    rate_limit   = optional(number, 100)
    burst_limit  = optional(number, 100)
  })
  description = "Usage plan for the API keys (quota per period, throttling per key). Created when api_keys is not empty."
  default     = {}

  validation {
    condition     = contains(["DAY", "WEEK", "MONTH"], var.usage_plan.quota_period)
    error_message = "usage_plan.quota_period must be DAY, WEEK or MONTH."
  }
}

variable "web_acl_arn" {
  type        = string
  description = "WAFv2 web ACL to associate with the stage, or null."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}
