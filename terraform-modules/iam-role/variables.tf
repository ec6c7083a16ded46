variable "name" {
  type        = string
  description = "Role name."

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "description" {
  type        = string
  description = "What the role is for."
  default     = "Managed by Terraform"
}

variable "path" {
  type        = string
  description = "IAM path of the role and instance profile."
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.path))
    error_message = "path must start and end with /, e.g. / or /app/."
  }
}

variable "trusted_services" {
  type        = list(string)
  description = "AWS services that may assume the role, e.g. [\"lambda.amazonaws.com\"] or [\"ec2.amazonaws.com\"]."
  default     = []

  validation {
    condition     = alltrue([for s in var.trusted_services : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?$", s))])
    error_message = "trusted_services entries must be service principals like lambda.amazonaws.com."
  }
}

variable "trusted_role_arns" {
  type        = list(string)
  description = "IAM principals (role/user/account root ARNs) that may assume the role."
  default     = []

  validation {
    condition     = alltrue([for a in var.trusted_role_arns : can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+|user/.+)$", a))])
    error_message = "trusted_role_arns entries must be IAM role, user or account root ARNs."
  }
}

variable "assume_role_conditions" {
  type = list(object({
    test     = string
    variable = string
    values   = list(string)
  }))
  description = "Conditions on the trust statement, e.g. aws:SourceAccount for services or sts:ExternalId for cross-account roles."
  default     = []
}

variable "managed_policy_arns" {
  type        = map(string)
  description = "Managed policies to attach, by a stable key of your choice (keys, unlike ARNs, are known at plan time)."
  default     = {}

  validation {
    condition     = alltrue([for a in values(var.managed_policy_arns) : startswith(a, "arn:")])
    error_message = "managed_policy_arns values must be policy ARNs."
  }

  validation {
    condition     = !anytrue([for a in values(var.managed_policy_arns) : endswith(a, ":policy/AdministratorAccess")])
    error_message = "Attaching AdministratorAccess is refused: grant what the workload needs."
  }
}

variable "inline_policies" {
  type        = map(string)
  description = "Inline policies by name, each a JSON policy document (e.g. from aws_iam_policy_document)."
  default     = {}
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary policy ARN, or null."
  default     = null
}

variable "max_session_duration" {
  type        = number
  description = "Longest session when assuming the role, in seconds."
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "create_instance_profile" {
  type        = bool
  description = "Also create an EC2 instance profile for the role (needs ec2.amazonaws.com in trusted_services)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags for the role and instance profile."
  default     = {}
}
