variable "name" {
  description = "Name of the ECS cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.name))
    error_message = "name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "container_insights" {
  description = "CloudWatch Container Insights: enabled, enhanced (per-task and per-container metrics) or disabled."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced", "disabled"], var.container_insights)
    error_message = "container_insights must be enabled, enhanced or disabled."
  }
}

variable "capacity_providers" {
  description = "Capacity providers the cluster may use (Fargate, Fargate Spot, or Auto Scaling group capacity providers by name)."
  type        = list(string)
  default     = ["FARGATE", "FARGATE_SPOT"]
}

variable "default_capacity_provider_strategy" {
  description = "Where services without their own strategy run: weights split tasks between providers after `base` tasks on the first."
  type = list(object({
    capacity_provider = string
    weight            = optional(number, 1)
    base              = optional(number, 0)
  }))
  default = [{ capacity_provider = "FARGATE" }]

  validation {
    condition     = alltrue([for item in var.default_capacity_provider_strategy : item.weight >= 0 && item.weight <= 1000 && item.base >= 0 && item.base <= 100000])
    error_message = "weight must be 0-1000 and base 0-100000."
  }
}

variable "execute_command_logging" {
  description = <<-EOT
    Record ECS Exec sessions (`aws ecs execute-command`) in a CloudWatch Logs group the module
    creates (`/aws/ecs/<name>/exec`), with `kms_key_arn` encrypting both the group and the session
    channel. Null: ECS Exec keeps the default logging of the task's awslogs configuration.
  EOT
  type = object({
    retention_in_days = optional(number, 365)
    kms_key_arn       = optional(string)
  })
  default = null
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
