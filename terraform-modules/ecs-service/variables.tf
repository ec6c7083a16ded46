variable "name" {
  description = "Name of the service; also the task definition family and the prefix of its roles, security group and log group."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,39}$", var.name))
    error_message = "name must start with a letter and hold 1-40 letters, digits, hyphens or underscores."
  }
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster to run in."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks' security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the tasks (awsvpc networking; they reach ECR and CloudWatch through a NAT gateway or VPC endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids needs at least one subnet."
  }
}

variable "containers" {
  description = <<-EOT
    Containers of the task by name. `secrets` maps environment variable names to Secrets Manager
    secret ARNs (optionally `<arn>:<json-key>::`) or SSM parameter ARNs; the execution role may read
    exactly those. The root filesystem is read-only unless `readonly_root_filesystem = false`.
  EOT
  type = map(object({
    image                    = string
    essential                = optional(bool, true)
    cpu                      = optional(number)
    memory                   = optional(number)
    memory_reservation       = optional(number)
    command                  = optional(list(string))
    entry_point              = optional(list(string))
    user                     = optional(string)
    working_directory        = optional(string)
    readonly_root_filesystem = optional(bool, true)
    port_mappings = optional(list(object({
      container_port = number
      protocol       = optional(string, "tcp")
      name           = optional(string)
    })), [])
    environment = optional(map(string), {})
    secrets     = optional(map(string), {})
    health_check = optional(object({
      command      = list(string)
      interval     = optional(number, 30)
      timeout      = optional(number, 5)
      retries      = optional(number, 3)
      start_period = optional(number, 0)
    }))
  }))

  validation {
    condition     = length(var.containers) > 0 && anytrue([for container in values(var.containers) : container.essential])
    error_message = "Declare at least one container, and at least one essential container."
  }

  validation {
    condition = alltrue(flatten([for container in values(var.containers) : [
      for arn in values(container.secrets) : can(regex("^arn:aws[a-z-]*:(secretsmanager|ssm):", arn))
    ]]))
    error_message = "containers[*].secrets values must be Secrets Manager secret or SSM parameter ARNs."
  }
}

variable "cpu" {
  description = "Task CPU units (Fargate sizes: 256, 512, 1024, 2048, 4096, 8192, 16384)."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Task memory in MiB (must fit the CPU size, e.g. 512-2048 for 256 CPU)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory >= 512 && var.memory <= 122880
    error_message = "memory must be between 512 and 122880 MiB."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (Graviton, cheaper per vCPU)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "desired_count" {
  description = "Tasks to run. With `autoscaling` this is only the starting count; the scaling policies own it afterwards."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 0 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number of 0 or more."
  }
}

variable "load_balancer" {
  description = "Register tasks with this target group (of type ip) under this container and port. Null: no load balancer."
  type = object({
    target_group_arn = string
    container_name   = string
    container_port   = number
  })
  default = null
}

variable "health_check_grace_period_seconds" {
  description = "Seconds the service ignores load balancer health checks after a task starts."
  type        = number
  default     = 60
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to reach the containers' ports, by a static key (e.g. { alb = module.alb.security_group_id })."
  type        = map(string)
  default     = {}
}

variable "egress_rules" {
  description = "Outbound rules, by rule name, same shape as `ingress_rules`. The default allows HTTPS out (image pulls from ECR, AWS APIs) and nothing else."
  type = map(object({
    description                  = string
    from_port                    = number
    to_port                      = number
    ip_protocol                  = optional(string, "tcp")
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
  }))
  default = {
    https = { description = "HTTPS to ECR and AWS APIs", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0" }
  }

  validation {
    condition = alltrue([for rule in values(var.egress_rules) : length(compact([
      rule.cidr_ipv4, rule.cidr_ipv6, rule.referenced_security_group_id, rule.prefix_list_id
    ])) == 1])
    error_message = "Each egress rule needs exactly one of cidr_ipv4, cidr_ipv6, referenced_security_group_id, prefix_list_id."
  }
}

variable "additional_security_group_ids" {
  description = "Existing security groups to attach to the tasks besides the one this module creates."
  type        = list(string)
  default     = []
}

variable "task_role_policy_json" {
  description = "IAM policy (JSON) for what the application itself may do (the task role). Null: no permissions."
  type        = string
  default     = null

  validation {
    condition     = var.task_role_policy_json == null || can(jsondecode(var.task_role_policy_json))
    error_message = "task_role_policy_json must be a JSON policy document."
  }
}

variable "task_role_policy_arns" {
  description = "Managed policies for the task role, by a static key."
  type        = map(string)
  default     = {}
}

variable "secrets_kms_key_arns" {
  description = "Customer KMS keys encrypting the referenced secrets or SecureString parameters; the execution role may decrypt with them."
  type        = list(string)
  default     = []
}

variable "log_retention_in_days" {
  description = "Retention of the containers' log group (`/ecs/<name>`)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key for the containers' log group. Null: CloudWatch Logs' service-managed encryption."
  type        = string
  default     = null
}

variable "capacity_provider_strategy" {
  description = "Capacity providers for the service (e.g. FARGATE_SPOT with a weight). Empty: launch type FARGATE."
  type = list(object({
    capacity_provider = string
    weight            = optional(number, 1)
    base              = optional(number, 0)
  }))
  default = []
}

variable "platform_version" {
  description = "Fargate platform version."
  type        = string
  default     = "LATEST"
}

variable "deployment_minimum_healthy_percent" {
  description = "Lowest share of desired tasks kept running during a deployment."
  type        = number
  default     = 100
}

variable "deployment_maximum_percent" {
  description = "Highest share of desired tasks running during a deployment (room for the new ones)."
  type        = number
  default     = 200
}

variable "enable_execute_command" {
  description = "Allow `aws ecs execute-command` into running tasks (grants the task role the SSM channel permissions)."
  type        = bool
  default     = false
}

variable "wait_for_steady_state" {
  description = "Make Terraform wait until the deployment is steady (new tasks healthy) before finishing."
  type        = bool
  default     = false
}

variable "autoscaling" {
  description = "Scale the task count between min and max by target tracking on average CPU (and memory when `memory_target` is set). Null: a fixed desired_count."
  type = object({
    min_capacity       = number
    max_capacity       = number
    cpu_target         = optional(number, 70)
    memory_target      = optional(number)
    scale_in_cooldown  = optional(number, 300)
    scale_out_cooldown = optional(number, 300)
  })
  default = null

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.min_capacity >= 0 && var.autoscaling.min_capacity <= var.autoscaling.max_capacity, false)
    error_message = "autoscaling needs 0 <= min_capacity <= max_capacity."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates; the service propagates them to its tasks."
  type        = map(string)
  default     = {}
}
