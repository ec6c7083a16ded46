variable "name" {
  description = "Replication group ID; also the prefix of the subnet group, security group and parameter group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name)) && !endswith(var.name, "-") && !strcontains(var.name, "--")
    error_message = "name must be 1-40 lowercase letters, digits or hyphens, start with a letter, and not end with or contain two hyphens in a row."
  }
}

variable "description" {
  description = "Description of the replication group. Null: \"Redis for <name>\"."
  type        = string
  default     = null
}

variable "engine" {
  description = "Cache engine: redis, or valkey (its open-source successor, same protocol)."
  type        = string
  default     = "redis"

  validation {
    condition     = contains(["redis", "valkey"], var.engine)
    error_message = "engine must be redis or valkey."
  }
}

variable "engine_version" {
  description = "Engine version, e.g. 7.1 (redis) or 8.0 (valkey)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9x]+$", var.engine_version))
    error_message = "engine_version must look like 7.1 or 6.x."
  }
}

variable "node_type" {
  description = "Node type of every cache node."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = can(regex("^cache\\.", var.node_type))
    error_message = "node_type must start with cache., e.g. cache.t4g.small."
  }
}

variable "num_cache_clusters" {
  description = "Nodes in the group: one primary plus replicas (1-6). Automatic failover needs at least 2."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6 && floor(var.num_cache_clusters) == var.num_cache_clusters
    error_message = "num_cache_clusters must be a whole number from 1 to 6."
  }
}

variable "automatic_failover_enabled" {
  description = "Promote a replica when the primary fails (needs num_cache_clusters >= 2)."
  type        = bool
  default     = true
}

variable "multi_az_enabled" {
  description = "Place replicas in other availability zones than the primary (needs automatic failover)."
  type        = bool
  default     = true
}

variable "port" {
  description = "Port the cache listens on."
  type        = number
  default     = 6379
}

variable "vpc_id" {
  description = "VPC of the cache's security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the cache nodes; the module makes its cache subnet group from them."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids needs at least one subnet."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect, by a static key (e.g. { app = module.asg.security_group_id })."
  type        = map(string)
  default     = {}
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges that may connect (prefer security groups)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.allowed_cidr_blocks : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "allowed_cidr_blocks must be IPv4 CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "kms_key_id" {
  description = "KMS key ARN for encryption at rest. Null: the ElastiCache-managed key. Data is encrypted at rest and in transit either way."
  type        = string
  default     = null
}

variable "auth_token_secret" {
  description = <<-EOT
    Secrets Manager secret holding the AUTH token (16-128 printable characters, no @, " or /),
    read at apply time. `json_key` picks a key when the secret is a JSON object. Null: no AUTH
    token (then prefer `user_group_ids`). An object so the choice is known at plan time even
    when the secret is created in the same run.
  EOT
  type = object({
    arn      = string
    json_key = optional(string)
  })
  default = null
}

variable "user_group_ids" {
  description = "ElastiCache RBAC user groups (instead of an AUTH token)."
  type        = list(string)
  default     = []
}

variable "parameters" {
  description = "Engine parameters. Non-empty: the module creates a parameter group for them; empty: the engine's default group."
  type = list(object({
    name  = string
    value = string
  }))
  default = []
}

variable "parameter_group_family" {
  description = "Family of the custom parameter group. Null: derived from engine and engine_version (redis7, valkey8, redis6.x)."
  type        = string
  default     = null
}

variable "snapshot_retention_limit" {
  description = "Days of automatic snapshots (1-35)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_limit >= 1 && var.snapshot_retention_limit <= 35
    error_message = "snapshot_retention_limit must be between 1 and 35 days."
  }
}

variable "snapshot_window" {
  description = "Daily snapshot window in UTC, e.g. 03:00-05:00. Null: AWS picks one."
  type        = string
  default     = null
}

variable "maintenance_window" {
  description = "Weekly maintenance window in UTC, e.g. sun:05:00-sun:07:00. Null: AWS picks one."
  type        = string
  default     = null
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "auto_minor_version_upgrade" {
  description = "Install minor engine upgrades in the maintenance window."
  type        = bool
  default     = true
}

variable "notification_topic_arn" {
  description = "SNS topic for ElastiCache events (failovers, maintenance). Null: none."
  type        = string
  default     = null
}

variable "slow_log_group_name" {
  description = "CloudWatch Logs group to deliver the slow log to (JSON). Null: no slow-log delivery."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
