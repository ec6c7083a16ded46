variable "name" {
  description = "Name of the Auto Scaling group; also the prefix of its launch template, security group and IAM role."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,39}$", var.name))
    error_message = "name must start with a letter and hold 1-40 letters, digits or hyphens."
  }
}

variable "vpc_id" {
  description = "VPC of the instances' security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets to launch instances in (private ones, one per availability zone)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids needs at least one subnet."
  }
}

variable "ami_id" {
  description = "AMI of the instances."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]+$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "instance_type" {
  description = "Instance type (the first choice when `mixed_instances` lists more)."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like t3.micro or m7g.large."
  }
}

variable "min_size" {
  description = "Fewest instances."
  type        = number
  default     = 1

  validation {
    condition     = var.min_size >= 0 && floor(var.min_size) == var.min_size
    error_message = "min_size must be a whole number of 0 or more."
  }
}

variable "max_size" {
  description = "Most instances."
  type        = number
  default     = 2

  validation {
    condition     = var.max_size >= 1 && floor(var.max_size) == var.max_size
    error_message = "max_size must be a whole number of 1 or more."
  }
}

variable "desired_capacity" {
  description = "Instances to start with. Null leaves the number to AWS (min_size at creation) and to the scaling policy afterwards, so applies do not undo scaling."
  type        = number
  default     = null
}

variable "key_name" {
  description = "Existing EC2 key pair for SSH. Null: no key (use SSM)."
  type        = string
  default     = null
}

variable "user_data" {
  description = "Cloud-init user data as plain text (the module base64-encodes it)."
  type        = string
  default     = null
}

variable "target_group_arns" {
  description = "Load balancer target groups to register instances with."
  type        = list(string)
  default     = []
}

variable "health_check_type" {
  description = "EC2 or ELB. Null: ELB when there are target groups (unhealthy targets get replaced), else EC2."
  type        = string
  default     = null

  validation {
    condition     = var.health_check_type == null || contains(["EC2", "ELB"], coalesce(var.health_check_type, "EC2"))
    error_message = "health_check_type must be EC2 or ELB."
  }
}

variable "health_check_grace_period" {
  description = "Seconds after launch before health checks count (time for the app to boot)."
  type        = number
  default     = 300
}

variable "app_port" {
  description = "Port the app listens on; with `app_source_security_group_ids`, opens it to those groups (typically the load balancer's)."
  type        = number
  default     = null

  validation {
    condition     = var.app_port == null || (coalesce(var.app_port, 1) >= 1 && coalesce(var.app_port, 1) <= 65535)
    error_message = "app_port must be a port number from 1 to 65535."
  }
}

variable "app_source_security_group_ids" {
  description = "Security groups allowed to reach `app_port`, by a static key (e.g. { alb = module.alb.security_group_id })."
  type        = map(string)
  default     = {}
}

variable "mixed_instances" {
  description = "Mix instance types and Spot capacity. Null: On-Demand instances of `instance_type` only."
  type = object({
    instance_types                           = list(string)
    on_demand_base_capacity                  = optional(number, 0)
    on_demand_percentage_above_base_capacity = optional(number, 100)
    spot_allocation_strategy                 = optional(string, "price-capacity-optimized")
  })
  default = null

  validation {
    condition     = var.mixed_instances == null || try(length(var.mixed_instances.instance_types) > 0 && var.mixed_instances.on_demand_percentage_above_base_capacity >= 0 && var.mixed_instances.on_demand_percentage_above_base_capacity <= 100, false)
    error_message = "mixed_instances needs at least one instance type and an on-demand percentage from 0 to 100."
  }
}

variable "cpu_target_value" {
  description = "Average CPU utilisation (percent) the target-tracking policy keeps the group at. Null: no scaling policy."
  type        = number
  default     = 70

  validation {
    condition     = var.cpu_target_value == null || (coalesce(var.cpu_target_value, 50) > 0 && coalesce(var.cpu_target_value, 50) <= 100)
    error_message = "cpu_target_value must be between 1 and 100."
  }
}

variable "scale_in_disabled" {
  description = "Let the CPU policy add instances but never remove them."
  type        = bool
  default     = false
}

variable "instance_warmup" {
  description = "Seconds a new instance needs before its metrics count towards scaling and instance refresh."
  type        = number
  default     = 300
}

variable "instance_refresh" {
  description = "Roll instances when the launch template changes, keeping this share healthy. Null: launch template changes only affect new instances."
  type = object({
    min_healthy_percentage = optional(number, 90)
  })
  default = {}
}

variable "wait_for_capacity_timeout" {
  description = "How long Terraform waits for the desired number of healthy instances (\"0\" to not wait)."
  type        = string
  default     = "10m"
}

variable "enabled_metrics" {
  description = "Group metrics to publish to CloudWatch."
  type        = list(string)
  default     = ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"]
}

variable "termination_policies" {
  description = "Order in which instances are picked for termination on scale-in."
  type        = list(string)
  default     = ["Default"]
}

variable "max_instance_lifetime" {
  description = "Replace instances older than this many seconds (at least 86400). Null: no limit."
  type        = number
  default     = null

  validation {
    condition     = var.max_instance_lifetime == null || coalesce(var.max_instance_lifetime, 86400) >= 86400
    error_message = "max_instance_lifetime must be at least 86400 seconds (one day)."
  }
}

variable "ingress_rules" {
  description = <<-EOT
    Inbound rules for the instances' security group, by rule name. Each rule names exactly one source:
    `cidr_ipv4`, `cidr_ipv6`, `referenced_security_group_id` or `prefix_list_id`. Nothing is open by default.
  EOT
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
  default = {}

  validation {
    condition = alltrue([for rule in values(var.ingress_rules) : length(compact([
      rule.cidr_ipv4, rule.cidr_ipv6, rule.referenced_security_group_id, rule.prefix_list_id
    ])) == 1])
    error_message = "Each ingress rule needs exactly one of cidr_ipv4, cidr_ipv6, referenced_security_group_id, prefix_list_id."
  }

  validation {
    condition = !anytrue([for rule in values(var.ingress_rules) :
      contains(["0.0.0.0/0", "::/0"], coalesce(rule.cidr_ipv4, rule.cidr_ipv6, "-")) &&
      (rule.ip_protocol == "-1" || (rule.from_port <= 22 && rule.to_port >= 22) || (rule.from_port <= 3389 && rule.to_port >= 3389))
    ])
    error_message = "Do not open SSH (22), RDP (3389) or all ports to the whole internet; restrict the source CIDR or use a security group."
  }
}

variable "egress_rules" {
  description = "Outbound rules, by rule name, same shape as `ingress_rules`. The default allows HTTPS and HTTP out (package mirrors, AWS APIs) and nothing else."
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
    https = { description = "HTTPS to AWS APIs and package mirrors", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0" }
    http  = { description = "HTTP to package mirrors", from_port = 80, to_port = 80, cidr_ipv4 = "0.0.0.0/0" }
  }

  validation {
    condition = alltrue([for rule in values(var.egress_rules) : length(compact([
      rule.cidr_ipv4, rule.cidr_ipv6, rule.referenced_security_group_id, rule.prefix_list_id
    ])) == 1])
    error_message = "Each egress rule needs exactly one of cidr_ipv4, cidr_ipv6, referenced_security_group_id, prefix_list_id."
  }
}

variable "additional_security_group_ids" {
  description = "Existing security groups to attach to every instance besides the one this module creates."
  type        = list(string)
  default     = []
}

variable "iam_policy_arns" {
  description = "Managed IAM policies to attach to the instances' role (by a static key, so the ARNs may be unknown at plan time)."
  type        = map(string)
  default     = {}
}

variable "iam_inline_policy_json" {
  description = "Inline IAM policy document (JSON) for the instances' role; least privilege is the caller's job. Null for none."
  type        = string
  default     = null

  validation {
    condition     = var.iam_inline_policy_json == null || can(jsondecode(var.iam_inline_policy_json))
    error_message = "iam_inline_policy_json must be a JSON policy document."
  }
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore so instances can be reached with Session Manager (and Ansible's aws_ssm connection) instead of SSH."
  type        = bool
  default     = false
}

variable "root_volume_size" {
  description = "Root volume size in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 16384
    error_message = "root_volume_size must be between 8 and 16384 GiB."
  }
}

variable "root_volume_type" {
  description = "Root volume type."
  type        = string
  default     = "gp3"

  validation {
    condition     = contains(["gp2", "gp3", "io1", "io2"], var.root_volume_type)
    error_message = "root_volume_type must be one of gp2, gp3, io1, io2."
  }
}

variable "kms_key_id" {
  description = "KMS key ARN for the root volume. Null uses the account's default EBS key; the volume is encrypted either way."
  type        = string
  default     = null
}

variable "metadata_hop_limit" {
  description = "IMDSv2 response hop limit: 1 keeps tokens on the host, 2 lets containers on the host reach the metadata service."
  type        = number
  default     = 1

  validation {
    condition     = var.metadata_hop_limit >= 1 && var.metadata_hop_limit <= 64
    error_message = "metadata_hop_limit must be between 1 and 64."
  }
}

variable "detailed_monitoring" {
  description = "Enable one-minute CloudWatch detailed monitoring."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource this module creates; propagated to the instances and their volumes."
  type        = map(string)
  default     = {}
}
