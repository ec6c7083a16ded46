variable "name" {
  type        = string
  description = "Name of the VPC; prefixes the Name tag of every resource."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,62}$", var.name))
    error_message = "name must be 1-63 letters, digits or hyphens, starting with a letter or digit."
  }
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR of the VPC, e.g. 10.0.0.0/16."

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 28
    error_message = "cidr_block must be a valid IPv4 CIDR with a prefix between /16 and /28."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread subnets over, in order: subnet i of each tier goes to zone i."

  validation {
    condition     = length(var.availability_zones) >= 1 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list at least one zone, without duplicates."
  }
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "CIDRs of the public subnets (route to the internet gateway), one per zone in order. Empty: no public tier and no internet gateway."
  default     = []

  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every public_subnet_cidrs entry must be a valid IPv4 CIDR."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "CIDRs of the private subnets (outbound through NAT when nat_gateway_mode is not \"none\"), one per zone in order."
  default     = []

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every private_subnet_cidrs entry must be a valid IPv4 CIDR."
  }
}

variable "database_subnet_cidrs" {
  type        = list(string)
  description = "CIDRs of the database subnets (no route to the internet at all), one per zone in order."
  default     = []

  validation {
    condition     = alltrue([for c in var.database_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every database_subnet_cidrs entry must be a valid IPv4 CIDR."
  }
}

variable "nat_gateway_mode" {
  type        = string
  description = "Outbound internet for private subnets: \"none\", \"single\" (one NAT gateway, cheapest) or \"per_az\" (one per zone, survives a zone outage)."
  default     = "single"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"none\", \"single\" or \"per_az\"."
  }
}

variable "map_public_ip_on_launch" {
  type        = bool
  description = "Give instances launched in public subnets a public IP automatically. Off by default: attach addresses deliberately."
  default     = false
}

variable "create_database_subnet_group" {
  type        = bool
  description = "Create an RDS DB subnet group over the database subnets (needs at least two zones)."
  default     = true
}

variable "flow_logs" {
  type = object({
    enabled           = optional(bool, true)
    traffic_type      = optional(string, "ALL")
    retention_in_days = optional(number, 365)
    kms_key_arn       = optional(string)
  })
  description = "VPC flow logs to a CloudWatch log group (on by default). kms_key_arn encrypts the log group with a customer key."
  default     = {}

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs.traffic_type)
    error_message = "flow_logs.traffic_type must be ACCEPT, REJECT or ALL."
  }

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs.retention_in_days)
    error_message = "flow_logs.retention_in_days must be a CloudWatch Logs retention value (0 = never expire, 1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}
