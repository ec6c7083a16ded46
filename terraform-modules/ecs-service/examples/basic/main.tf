# SARC-NG's sarcng-api/ecs-alb-service unit: a Fargate service behind a load balancer target
# group, its database password injected from Secrets Manager, scaling on CPU between 1 and 3.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "ecs-service-example"
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer (the local test turns it off so it can destroy the example)."
  type        = bool
  default     = true
}

variable "autoscaling" {
  description = "Scale the service on CPU (the local test turns it off: moto's Application Auto Scaling has no ListTagsForResource)."
  type        = bool
  default     = true
}

module "network" {
  source = "../../../network"

  name                 = var.name
  cidr_block           = "10.48.0.0/16"
  availability_zones   = ["us-east-1a", "us-east-1b"]
  private_subnet_cidrs = ["10.48.11.0/24", "10.48.12.0/24"]
  nat_gateway_mode     = "none"
  flow_logs            = { retention_in_days = 30 }
}

module "cluster" {
  source = "../../../ecs-cluster"

  name = var.name
}

module "alb" {
  source = "../../../alb"

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  ingress_cidr_blocks = [module.network.vpc_cidr_block]
  plain_http          = true
  target_groups = {
    api = { port = 8080, target_type = "ip", health_check = { path = "/health" } }
  }
  deletion_protection = var.deletion_protection
}

module "db_password" {
  source = "../../../secrets-manager-secret"

  name                    = "${var.name}/db-password"
  generate_password       = { length = 32 }
  recovery_window_in_days = 0 # example only: lets the test delete it at once
}

module "service" {
  source = "../.."

  name        = var.name
  cluster_arn = module.cluster.arn
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  cpu         = 512
  memory      = 1024

  containers = {
    api = {
      image         = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sarc-ng-api:1.0.0"
      port_mappings = [{ container_port = 8080 }]
      environment   = { APP_ENV = "dev", DB_HOST = "db.internal" }
      secrets       = { DB_PASSWORD = module.db_password.secret_arn }
      health_check  = { command = ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"] }
    }
  }

  load_balancer              = { target_group_arn = module.alb.target_group_arns["api"], container_name = "api", container_port = 8080 }
  allowed_security_group_ids = { alb = module.alb.security_group_id }
  autoscaling                = var.autoscaling ? { min_capacity = 1, max_capacity = 3, cpu_target = 70 } : null

  tags = { Example = "ecs-service" }
}

output "service_name" {
  description = "Name of the example service."
  value       = module.service.service_name
}

output "task_definition_arn" {
  description = "Task definition of the example service."
  value       = module.service.task_definition_arn
}
