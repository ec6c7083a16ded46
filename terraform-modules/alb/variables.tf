variable "name" {
  description = "Load balancer name; also the prefix of its security group and target groups (`<name>-<key>`)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must be 2-32 letters, digits or hyphens, not starting or ending with a hyphen, and not start with internal-."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer and its target groups."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets in at least two availability zones: public subnets for an internet-facing load balancer, private ones for an internal one."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An application load balancer needs subnets in at least two availability zones."
  }
}

variable "internal" {
  description = "Create an internal load balancer. Internet-facing ones need this set to false explicitly, and `ingress_cidr_blocks` to say who may connect."
  type        = bool
  default     = true
}

variable "ingress_cidr_blocks" {
  description = "IPv4 ranges allowed to reach the listeners (e.g. [\"0.0.0.0/0\"] for a public site). Empty: none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.ingress_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "ingress_cidr_blocks must be IPv4 CIDR blocks like 10.0.0.0/16."
  }
}

variable "ingress_ipv6_cidr_blocks" {
  description = "IPv6 ranges allowed to reach the listeners. Empty: none."
  type        = list(string)
  default     = []
}

variable "ingress_security_group_ids" {
  description = "Security groups allowed to reach the listeners, by a static key (the IDs may be unknown at plan time)."
  type        = map(string)
  default     = {}
}

variable "egress_cidr_blocks" {
  description = "Where the load balancer may open connections to targets (target and health-check ports only). Null: the VPC's CIDR block."
  type        = list(string)
  default     = null
}

variable "https" {
  description = <<-EOT
    HTTPS listener on 443 with this ACM certificate (plus more by SNI; TLS settings in
    `ssl_policy`), and port 80 reduced to a redirect to HTTPS. Null: no HTTPS listener and port 80 forwards (local and test setups only).
    An object rather than a bare ARN so the choice is known at plan time even when the
    certificate is created in the same run.
  EOT
  type = object({
    certificate_arn             = string
    additional_certificate_arns = optional(map(string), {})
  })
  default = null
}

variable "plain_http" {
  description = "Serve plain HTTP on port 80 and no HTTPS: an explicit opt-in for internal load balancers on a private network and local tests. Excludes `https`."
  type        = bool
  default     = false
}

variable "ssl_policy" {
  description = "TLS negotiation policy of the HTTPS listener. The default allows TLS 1.3 and 1.2 only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-", var.ssl_policy))
    error_message = "ssl_policy must name an ELBSecurityPolicy-* policy."
  }
}

variable "http_listener_enabled" {
  description = "Create the port 80 listener (a redirect to HTTPS when `https` is set)."
  type        = bool
  default     = true
}

variable "target_groups" {
  description = <<-EOT
    Target groups by key (the group is named `<name>-<key>`). `target_type` is instance or ip
    (Fargate tasks need ip). Health checks default to `/` answering 200-399 on the traffic port.
  EOT
  type = map(object({
    port                 = number
    protocol             = optional(string, "HTTP")
    protocol_version     = optional(string, "HTTP1")
    target_type          = optional(string, "instance")
    deregistration_delay = optional(number, 60)
    slow_start           = optional(number, 0)
    stickiness_duration  = optional(number)
    health_check = optional(object({
      path                = optional(string, "/")
      matcher             = optional(string, "200-399")
      port                = optional(string, "traffic-port")
      protocol            = optional(string)
      interval            = optional(number, 30)
      timeout             = optional(number, 5)
      healthy_threshold   = optional(number, 3)
      unhealthy_threshold = optional(number, 3)
    }), {})
  }))

  validation {
    condition     = length(var.target_groups) > 0
    error_message = "Declare at least one target group."
  }

  validation {
    condition     = alltrue([for key, group in var.target_groups : contains(["instance", "ip"], group.target_type) && contains(["HTTP", "HTTPS"], group.protocol)])
    error_message = "target_type must be instance or ip, and protocol HTTP or HTTPS."
  }

  validation {
    condition     = alltrue([for key, group in var.target_groups : group.port >= 1 && group.port <= 65535 && can(regex("^[a-z0-9-]+$", key))])
    error_message = "Target group keys must be lowercase letters, digits and hyphens, and ports between 1 and 65535."
  }

  validation {
    condition     = alltrue([for group in var.target_groups : group.health_check.port == "traffic-port" || can(tonumber(group.health_check.port))])
    error_message = "health_check.port must be traffic-port or a port number."
  }
}

variable "default_target_group" {
  description = "Key of the target group the listener forwards to when no rule matches. Null: the first key in sort order."
  type        = string
  default     = null
}

variable "listener_rules" {
  description = "Forwarding rules by name on the serving listener (HTTPS when `https` is set, else HTTP): a priority, a target group key and path and/or host patterns."
  type = map(object({
    priority      = number
    target_group  = string
    path_patterns = optional(list(string), [])
    host_headers  = optional(list(string), [])
  }))
  default = {}

  validation {
    condition     = alltrue([for rule in values(var.listener_rules) : length(rule.path_patterns) + length(rule.host_headers) > 0 && rule.priority >= 1 && rule.priority <= 50000])
    error_message = "Each listener rule needs path_patterns or host_headers, and a priority from 1 to 50000."
  }
}

variable "access_logs" {
  description = "Write access logs to this S3 bucket (its policy must let the regional ELB account write). Null: no access logs."
  type = object({
    bucket = string
    prefix = optional(string)
  })
  default = null
}

variable "idle_timeout" {
  description = "Seconds a connection may be idle before the load balancer closes it."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "desync_mitigation_mode" {
  description = "How the load balancer treats requests that could be used for HTTP desync attacks."
  type        = string
  default     = "defensive"

  validation {
    condition     = contains(["monitor", "defensive", "strictest"], var.desync_mitigation_mode)
    error_message = "desync_mitigation_mode must be monitor, defensive or strictest."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer through the API (turn off before destroying)."
  type        = bool
  default     = true
}

variable "web_acl_arn" {
  description = "WAFv2 web ACL to associate with the load balancer. Null: none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
