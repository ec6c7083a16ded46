variable "name" {
  description = "Identifier of the database (instance, or Aurora cluster) and prefix of everything else the module creates."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,47}$", var.name)) && !endswith(var.name, "-") && !strcontains(var.name, "--")
    error_message = "name must be 1-48 lowercase letters, digits or hyphens, start with a letter, and not end with or contain two hyphens in a row."
  }
}

variable "engine" {
  description = "postgres or mysql (RDS instances with optional read replicas), or aurora-postgresql / aurora-mysql (an Aurora cluster with `aurora_instances`)."
  type        = string
  default     = "postgres"

  validation {
    condition     = contains(["postgres", "mysql", "aurora-postgresql", "aurora-mysql"], var.engine)
    error_message = "engine must be postgres, mysql, aurora-postgresql or aurora-mysql."
  }
}

variable "engine_version" {
  description = "Engine version. With auto minor upgrades give the major version only (16 for postgres, 8.0 for mysql) so AWS upgrades do not show as drift; Aurora takes a full version such as 8.0.mysql_aurora.3.05.2."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9a-z_]+)*$", var.engine_version))
    error_message = "engine_version must look like 16, 16.4, 8.0 or 8.0.mysql_aurora.3.05.2."
  }
}

variable "parameter_group_family" {
  description = "Parameter group family. Null: derived from engine and engine_version (postgres16, mysql8.0, aurora-postgresql16, aurora-mysql8.0)."
  type        = string
  default     = null
}

variable "instance_class" {
  description = "Instance class of the primary (and of Aurora instances without their own). Use db.serverless with `serverless_v2_scaling` for Aurora Serverless v2."
  type        = string
  default     = "db.t3.medium"

  validation {
    condition     = can(regex("^db\\.", var.instance_class))
    error_message = "instance_class must start with db., e.g. db.t3.medium."
  }
}

variable "database_name" {
  description = "Name of the database created at launch. Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.database_name == null || can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", coalesce(var.database_name, "x")))
    error_message = "database_name must start with a letter and hold up to 63 letters, digits or underscores."
  }
}

variable "master_username" {
  description = "Name of the master user."
  type        = string
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin", "root"], lower(var.master_username))
    error_message = "master_username must be 1-16 letters, digits or underscores starting with a letter, and not a reserved name (admin, postgres, rdsadmin, root)."
  }
}

variable "manage_master_user_password" {
  description = "Let RDS generate the master password and keep (and rotate) it in Secrets Manager; the secret's ARN is an output. Turn off only to pass `master_password`."
  type        = bool
  default     = true
}

variable "master_user_secret_kms_key_id" {
  description = "KMS key for the managed master password secret. Null: the aws/secretsmanager key."
  type        = string
  default     = null
}

variable "master_password" {
  description = "Master password when `manage_master_user_password` is false (ends up in the Terraform state: prefer the managed password)."
  type        = string
  default     = null
  sensitive   = true
}

variable "vpc_id" {
  description = "VPC of the database's security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Database subnets, in at least two availability zones; the module makes its DB subnet group from them."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs subnets in at least two availability zones."
  }
}

variable "port" {
  description = "Port the database listens on. Null: the engine's default (5432 PostgreSQL, 3306 MySQL)."
  type        = number
  default     = null
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect, by a static key (e.g. { app = module.asg.security_group_id })."
  type        = map(string)
  default     = {}
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges that may connect (prefer security groups). The database is never publicly accessible."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.allowed_cidr_blocks : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "allowed_cidr_blocks must be IPv4 CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "allocated_storage" {
  description = "Storage in GiB (RDS instances; Aurora grows its own)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Upper limit of storage autoscaling in GiB; 0 turns autoscaling off."
  type        = number
  default     = 100
}

variable "storage_type" {
  description = "Storage type of RDS instances."
  type        = string
  default     = "gp3"

  validation {
    condition     = contains(["gp2", "gp3", "io1", "io2"], var.storage_type)
    error_message = "storage_type must be gp2, gp3, io1 or io2."
  }
}

variable "iops" {
  description = "Provisioned IOPS (io1/io2, or gp3 above the baseline). Null: the storage type's default."
  type        = number
  default     = null
}

variable "kms_key_id" {
  description = "KMS key ARN for storage encryption. Null: the aws/rds key. Storage is encrypted either way."
  type        = string
  default     = null
}

variable "multi_az" {
  description = "Keep a synchronous standby in another availability zone (RDS instances; Aurora spreads `aurora_instances` instead)."
  type        = bool
  default     = true
}

variable "replica_count" {
  description = "Read replicas of an RDS instance (0-5). Ignored for Aurora: list readers in `aurora_instances`."
  type        = number
  default     = 0

  validation {
    condition     = var.replica_count >= 0 && var.replica_count <= 5 && floor(var.replica_count) == var.replica_count
    error_message = "replica_count must be a whole number from 0 to 5."
  }
}

variable "replica_instance_class" {
  description = "Instance class of the read replicas. Null: same as the primary."
  type        = string
  default     = null
}

variable "aurora_instances" {
  description = "Aurora only: instances of the cluster by key (identifier `<name>-<key>`); the first to come up is the writer, `promotion_tier` orders failover."
  type = map(object({
    instance_class = optional(string)
    promotion_tier = optional(number, 1)
  }))
  default = {
    "1" = { promotion_tier = 1 }
    "2" = { promotion_tier = 2 }
  }

  validation {
    condition     = length(var.aurora_instances) >= 1 && alltrue([for key in keys(var.aurora_instances) : can(regex("^[a-z0-9][a-z0-9-]{0,8}$", key))])
    error_message = "aurora_instances needs at least one entry, keyed by 1-9 lowercase letters, digits or hyphens."
  }
}

variable "serverless_v2_scaling" {
  description = "Aurora Serverless v2 capacity range in ACUs (use instance_class db.serverless). Null: provisioned instances."
  type = object({
    min_capacity = number
    max_capacity = number
  })
  default = null
}

variable "backup_retention_period" {
  description = "Days of automated backups (1-35; read replicas need backups on the primary)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 1 and 35 days."
  }
}

variable "backup_window" {
  description = "Daily backup window in UTC, e.g. 03:00-06:00. Null: AWS picks one."
  type        = string
  default     = null
}

variable "maintenance_window" {
  description = "Weekly maintenance window in UTC, e.g. Mon:00:00-Mon:03:00. Null: AWS picks one."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse deletion through the API (turn off and apply before a destroy)."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot. Off: destroying takes a snapshot named `<name>-final`."
  type        = bool
  default     = false
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window (may restart the database)."
  type        = bool
  default     = false
}

variable "auto_minor_version_upgrade" {
  description = "Install minor engine upgrades in the maintenance window."
  type        = bool
  default     = true
}

variable "performance_insights_enabled" {
  description = "Turn on Performance Insights (not every small instance class supports it)."
  type        = bool
  default     = true
}

variable "performance_insights_retention_period" {
  description = "Days Performance Insights keeps data: 7 (free tier), 31 * n months, or 731."
  type        = number
  default     = 7
}

variable "performance_insights_kms_key_id" {
  description = "KMS key for Performance Insights data. Null: the aws/rds key."
  type        = string
  default     = null
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (0 turns it off, which also skips its IAM role)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "iam_database_authentication_enabled" {
  description = "Allow IAM users and roles to log in with authentication tokens."
  type        = bool
  default     = true
}

variable "enabled_cloudwatch_logs_exports" {
  description = "Logs to publish to CloudWatch. Null: the engine's useful set (postgresql+upgrade; error+general+slowquery; Aurora MySQL adds audit)."
  type        = list(string)
  default     = null
}

variable "parameters" {
  description = "Parameters on top of the module's TLS-only and logging defaults (which a same-named entry overrides). For Aurora they go to the cluster parameter group."
  type = list(object({
    name         = string
    value        = string
    apply_method = optional(string, "pending-reboot")
  }))
  default = []

  validation {
    condition     = alltrue([for parameter in var.parameters : contains(["immediate", "pending-reboot"], parameter.apply_method)])
    error_message = "apply_method must be immediate or pending-reboot."
  }
}

variable "ca_cert_identifier" {
  description = "Certificate authority of the server certificate. Null: the region's default for new databases (rds-ca-rsa2048-g1 in most regions); setting it costs an extra modify-and-wait after creation."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
