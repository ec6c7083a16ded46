# Two zones, three tiers, one NAT gateway, flow logs on: the SARC-NG dev layout.
variable "name" {
  type        = string
  description = "Name of the example VPC (the tests pass a unique one)."
  default     = "example-network"
}

module "network" {
  source = "../.."

  name                  = var.name
  cidr_block            = "10.0.0.0/16"
  availability_zones    = ["us-east-1a", "us-east-1b"]
  public_subnet_cidrs   = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnet_cidrs  = ["10.0.10.0/24", "10.0.11.0/24"]
  database_subnet_cidrs = ["10.0.20.0/24", "10.0.21.0/24"]
  nat_gateway_mode      = "single"
  tags                  = { Environment = "example" }
}

output "vpc_id" {
  description = "ID of the example VPC."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets of the example VPC."
  value       = module.network.private_subnet_ids
}
