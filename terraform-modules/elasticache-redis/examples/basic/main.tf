# MueJam's cache: Redis with a primary and a replica in two zones, automatic failover, TLS and
# an AUTH token generated into Secrets Manager, reachable from the app subnets only.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "redis-example"
}

module "network" {
  source = "../../../network"

  name                 = var.name
  cidr_block           = "10.47.0.0/16"
  availability_zones   = ["us-east-1a", "us-east-1b"]
  private_subnet_cidrs = ["10.47.11.0/24", "10.47.12.0/24"]
  nat_gateway_mode     = "none"
  flow_logs            = { retention_in_days = 30 }
}

module "auth_token" {
  source = "../../../secrets-manager-secret"

  name                    = "${var.name}/redis-auth-token"
  description             = "AUTH token of the example cache"
  generate_password       = { length = 32, exclude_punctuation = true }
  recovery_window_in_days = 0 # example only: lets the test delete it at once
}

module "redis" {
  source = "../.."

  name               = var.name
  engine_version     = "7.1"
  node_type          = "cache.t4g.small"
  num_cache_clusters = 2

  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  allowed_cidr_blocks = ["10.47.11.0/24", "10.47.12.0/24"]
  auth_token_secret   = { arn = module.auth_token.secret_arn }

  tags = { Example = "elasticache-redis" }

  # The token is read at apply time: wait until the secret holds its generated value.
  depends_on = [module.auth_token]
}

output "primary_endpoint_address" {
  description = "Primary endpoint of the example cache."
  value       = module.redis.primary_endpoint_address
}
