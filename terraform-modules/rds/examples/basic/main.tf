# MueJam's database: PostgreSQL across two zones with one read replica, the master password
# kept by RDS in Secrets Manager, reachable from the app subnets only.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "rds-example"
}

variable "deletion_protection" {
  description = "Deletion protection of the database (the local test turns it off so it can destroy the example)."
  type        = bool
  default     = true
}

module "network" {
  source = "../../../network"

  name                         = var.name
  cidr_block                   = "10.45.0.0/16"
  availability_zones           = ["us-east-1a", "us-east-1b"]
  private_subnet_cidrs         = ["10.45.11.0/24", "10.45.12.0/24"]
  database_subnet_cidrs        = ["10.45.21.0/24", "10.45.22.0/24"]
  nat_gateway_mode             = "none"
  create_database_subnet_group = false
  flow_logs                    = { retention_in_days = 30 }
}

module "database" {
  source = "../.."

  name           = var.name
  engine         = "postgres"
  engine_version = "16"
  instance_class = "db.t3.medium"
  database_name  = "muejam"

  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.database_subnet_ids
  allowed_cidr_blocks = ["10.45.11.0/24", "10.45.12.0/24"]

  allocated_storage     = 20
  max_allocated_storage = 100
  replica_count         = 1
  deletion_protection   = var.deletion_protection

  tags = { Example = "rds" }
}

output "endpoint" {
  description = "Writer endpoint of the example database."
  value       = module.database.endpoint
}

output "replica_addresses" {
  description = "Read replica host names."
  value       = module.database.replica_addresses
}

output "master_user_secret_arn" {
  description = "Secret holding the master password."
  value       = module.database.master_user_secret_arn
}
