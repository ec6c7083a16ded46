# SARC-NG's production database: an Aurora MySQL cluster with two instances in failover order.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "rds-aurora-example"
}

variable "deletion_protection" {
  description = "Deletion protection of the cluster (the local test turns it off so it can destroy the example)."
  type        = bool
  default     = true
}

module "network" {
  source = "../../../network"

  name                         = var.name
  cidr_block                   = "10.46.0.0/16"
  availability_zones           = ["us-east-1a", "us-east-1b"]
  private_subnet_cidrs         = ["10.46.11.0/24", "10.46.12.0/24"]
  database_subnet_cidrs        = ["10.46.21.0/24", "10.46.22.0/24"]
  nat_gateway_mode             = "none"
  create_database_subnet_group = false
  flow_logs                    = { retention_in_days = 30 }
}

module "database" {
  source = "../.."

  name           = var.name
  engine         = "aurora-mysql"
  engine_version = "8.0.mysql_aurora.3.05.2"
  instance_class = "db.r6g.large"
  database_name  = "sarcng"
  aurora_instances = {
    "1" = { promotion_tier = 1 }
    "2" = { promotion_tier = 2 }
  }

  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.database_subnet_ids
  allowed_cidr_blocks = ["10.46.11.0/24", "10.46.12.0/24"]

  backup_retention_period = 30
  backup_window           = "03:00-06:00"
  maintenance_window      = "Mon:00:00-Mon:03:00"
  deletion_protection     = var.deletion_protection

  tags = { Example = "rds-aurora" }
}

output "endpoint" {
  description = "Writer endpoint of the example cluster."
  value       = module.database.endpoint
}

output "reader_endpoint" {
  description = "Reader endpoint of the example cluster."
  value       = module.database.reader_endpoint
}
