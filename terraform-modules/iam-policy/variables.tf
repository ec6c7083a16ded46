variable "name" {
  type        = string
  description = "Policy name."

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.name))
    error_message = "name must be 1-128 characters of letters, digits and +=,.@_-."
  }
}

variable "description" {
  type        = string
  description = "What the policy grants (changing it replaces the policy)."
  default     = "Managed by Terraform"
}

variable "path" {
  type        = string
  description = "IAM path of the policy."
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.path))
    error_message = "path must start and end with /, e.g. / or /app/."
  }
}

variable "statements" {
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  description = "Policy statements. An Allow of every action (\"*\") on every resource (\"*\") is refused: grant what the workload needs."
  default     = []

  validation {
    condition     = alltrue([for s in var.statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each statement needs effect Allow or Deny and at least one action and one resource."
  }

  validation {
    condition     = !anytrue([for s in var.statements : s.effect == "Allow" && contains(s.actions, "*") && contains(s.resources, "*")])
    error_message = "An Allow of action \"*\" on resource \"*\" is administrator access; list the actions and resources instead."
  }
}

variable "source_policy_json" {
  type        = string
  description = "A policy JSON document (e.g. from aws_iam_policy_document) merged with statements. Null: statements only."
  default     = null

  validation {
    condition     = var.source_policy_json == null || can(jsondecode(var.source_policy_json))
    error_message = "source_policy_json must be a JSON document."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the policy."
  default     = {}
}
