variable "name" {
  type        = string
  description = "Name of the security group; with use_name_prefix (the default) the start of its name, at most 99 characters."

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 255 && !startswith(lower(var.name), "sg-")
    error_message = "name must be 1-255 characters and must not start with \"sg-\"."
  }
}

variable "use_name_prefix" {
  type        = bool
  description = "Name the group name followed by a unique suffix (name_prefix), so that a replacement can be created before the old group is destroyed. false: exactly name, and a change that replaces the group (description, vpc_id) fails while the old group holds the name."
  default     = true
}

variable "description" {
  type        = string
  description = "What the group is for (shown in the console; changing it replaces the group)."
  default     = "Managed by Terraform"

  validation {
    condition     = length(var.description) >= 1 && length(var.description) <= 255
    error_message = "description must be 1-255 characters."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC the group belongs to."

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "vpc_id must be a VPC id (vpc-...)."
  }
}

variable "ingress_rules" {
  type = map(object({
    description                  = string
    ip_protocol                  = optional(string, "tcp")
    from_port                    = optional(number)
    to_port                      = optional(number)
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
  }))
  description = "Inbound rules by name. Each has exactly one source (cidr_ipv4, cidr_ipv6, referenced_security_group_id or prefix_list_id); ports are required unless ip_protocol is \"-1\" (all)."
  default     = {}

  validation {
    condition = alltrue([for r in values(var.ingress_rules) :
    length(compact([r.cidr_ipv4, r.cidr_ipv6, r.referenced_security_group_id, r.prefix_list_id])) == 1])
    error_message = "Each ingress rule needs exactly one of cidr_ipv4, cidr_ipv6, referenced_security_group_id, prefix_list_id."
  }

  validation {
    condition     = alltrue([for r in values(var.ingress_rules) : r.ip_protocol == "-1" || (r.from_port != null && r.to_port != null)])
    error_message = "Ingress rules need from_port and to_port unless ip_protocol is \"-1\"."
  }

  # Remote administration from the whole internet is the classic breach: allow it from a known range.
  validation {
    condition = alltrue([for r in values(var.ingress_rules) :
      !(contains(["0.0.0.0/0", "::/0"], coalesce(r.cidr_ipv4, r.cidr_ipv6, "none")) && (
        r.ip_protocol == "-1" || (r.from_port != null && r.to_port != null && anytrue([for p in [22, 3389] : r.from_port <= p && r.to_port >= p]))
    ))])
    error_message = "Ingress from 0.0.0.0/0 or ::/0 must not open SSH (22), RDP (3389) or all traffic; use a known CIDR, a security group or SSM Session Manager."
  }
}

variable "egress_rules" {
  type = map(object({
    description                  = string
    ip_protocol                  = optional(string, "tcp")
    from_port                    = optional(number)
    to_port                      = optional(number)
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
  }))
  description = "Outbound rules by name, same shape as ingress_rules. Empty (the default) allows no outbound traffic: declare what the workload needs, e.g. HTTPS to 0.0.0.0/0 or the database's group."
  default     = {}

  validation {
    condition = alltrue([for r in values(var.egress_rules) :
    length(compact([r.cidr_ipv4, r.cidr_ipv6, r.referenced_security_group_id, r.prefix_list_id])) == 1])
    error_message = "Each egress rule needs exactly one of cidr_ipv4, cidr_ipv6, referenced_security_group_id, prefix_list_id."
  }

  validation {
    condition     = alltrue([for r in values(var.egress_rules) : r.ip_protocol == "-1" || (r.from_port != null && r.to_port != null)])
    error_message = "Egress rules need from_port and to_port unless ip_protocol is \"-1\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the group and its rules."
  default     = {}
}
