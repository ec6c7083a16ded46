variable "name" {
  description = "Name prefix for every resource, and for generated host names when `hosts` is empty (`<name>-1`, `<name>-2`, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,39}$", var.name))
    error_message = "name must start with a letter and hold 1-40 letters, digits or hyphens."
  }
}

variable "vpc_id" {
  description = "VPC the hosts and their security group live in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets for hosts generated from `instance_count` (spread round-robin) and the default for `hosts` entries without a subnet_id."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids needs at least one subnet ID like subnet-0123456789abcdef0."
  }
}

variable "instance_count" {
  description = "Number of identical hosts to create when `hosts` is empty. Ignored when `hosts` is set."
  type        = number
  default     = 1

  validation {
    condition     = var.instance_count >= 0 && var.instance_count <= 50 && floor(var.instance_count) == var.instance_count
    error_message = "instance_count must be a whole number from 0 to 50."
  }
}

variable "hosts" {
  description = <<-EOT
    Hosts by name, for hosts that differ from each other. Each entry may override the subnet,
    instance type, AMI, private IP, user data, Ansible groups and tags. When empty, `instance_count`
    hosts named `<name>-<n>` are created instead.
  EOT
  type = map(object({
    subnet_id      = optional(string)
    instance_type  = optional(string)
    ami_id         = optional(string)
    private_ip     = optional(string)
    user_data      = optional(string)
    ansible_groups = optional(list(string), [])
    tags           = optional(map(string), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for host_name in keys(var.hosts) : can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$", host_name))])
    error_message = "Host names (the keys of hosts) must be 1-63 letters, digits or hyphens, starting with a letter or digit."
  }
}

variable "ami_id" {
  description = "AMI for every host that does not set its own `ami_id`."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]+$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "instance_type" {
  description = "Instance type for every host that does not set its own."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must look like t3.micro or m7g.large."
  }
}

variable "user_data" {
  description = "Cloud-init user data (plain text, not base64) for every host that does not set its own."
  type        = string
  default     = null
}

variable "user_data_replace_on_change" {
  description = "Replace a host when its user data changes, instead of updating it in place (user data only runs on first boot)."
  type        = bool
  default     = false
}

variable "associate_public_ip_address" {
  description = "Give hosts a public IPv4 address. Off by default: reach private hosts through a bastion, SSM or a VPN."
  type        = bool
  default     = false
}

variable "ssh_public_key" {
  description = "OpenSSH public key to import as a new key pair named after `name`. Leave null to use `key_name` or no key at all (SSM access)."
  type        = string
  default     = null

  validation {
    condition     = var.ssh_public_key == null || can(regex("^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key line (ssh-ed25519 AAAA..., ssh-rsa AAAA... or ecdsa-sha2-...)."
  }
}

variable "key_name" {
  description = "Name of an existing EC2 key pair. Used only when `ssh_public_key` is null."
  type        = string
  default     = null
}

variable "ingress_rules" {
  description = <<-EOT
    Inbound rules for the hosts' security group, by rule name. Each rule names exactly one source:
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
  description = "Existing security groups to attach to every host besides the one this module creates."
  type        = list(string)
  default     = []
}

variable "iam_policy_arns" {
  description = "Managed IAM policies to attach to the hosts' role (by a static key, so the ARNs may be unknown at plan time)."
  type        = map(string)
  default     = {}
}

variable "iam_inline_policy_json" {
  description = "Inline IAM policy document (JSON) for the hosts' role; least privilege is the caller's job. Null for none."
  type        = string
  default     = null

  validation {
    condition     = var.iam_inline_policy_json == null || can(jsondecode(var.iam_inline_policy_json))
    error_message = "iam_inline_policy_json must be a JSON policy document."
  }
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore so hosts can be reached with Session Manager (and Ansible's aws_ssm connection) instead of SSH."
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

variable "disable_api_termination" {
  description = "Protect hosts against termination through the API (Terraform must turn this off before it can destroy them)."
  type        = bool
  default     = false
}

variable "ansible_groups" {
  description = "Ansible groups every host belongs to, returned in the `hosts` output for building an inventory."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for group in var.ansible_groups : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", group))])
    error_message = "Ansible group names must be letters, digits and underscores, not starting with a digit."
  }
}

variable "ansible_host_address" {
  description = "Which address `ansible_host` holds: `private_ip`, `public_ip`, or `auto` (public when the host has one, else private)."
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "private_ip", "public_ip"], var.ansible_host_address)
    error_message = "ansible_host_address must be auto, private_ip or public_ip."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
