# An internet-facing load balancer as MueJam runs it: HTTP redirected to HTTPS, a certificate
# validated in the site's zone, an app target group checked on /health and an API group behind
# a path rule.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "alb-example"
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer (the local test turns it off so it can destroy the example)."
  type        = bool
  default     = true
}

module "network" {
  source = "../../../network"

  name                 = var.name
  cidr_block           = "10.43.0.0/16"
  availability_zones   = ["us-east-1a", "us-east-1b"]
  public_subnet_cidrs  = ["10.43.1.0/24", "10.43.2.0/24"]
  private_subnet_cidrs = ["10.43.11.0/24", "10.43.12.0/24"]
  nat_gateway_mode     = "none"
  flow_logs            = { retention_in_days = 30 }
}

module "zone" {
  source = "../../../route53-zone"

  name          = "${var.name}.example.com"
  force_destroy = true
}

module "certificate" {
  source = "../../../acm-certificate"

  domain_name = "${var.name}.example.com"
  zone_id     = module.zone.zone_id
}

module "alb" {
  source = "../.."

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  internal            = false
  ingress_cidr_blocks = ["0.0.0.0/0"]
  https               = { certificate_arn = module.certificate.arn }

  target_groups = {
    app = { port = 8000, health_check = { path = "/health" } }
    api = { port = 8080, health_check = { path = "/api/health", matcher = "200" } }
  }
  default_target_group = "app"
  listener_rules = {
    api = { priority = 10, target_group = "api", path_patterns = ["/api/*"] }
  }
  deletion_protection = var.deletion_protection

  tags = { Example = "alb" }
}

output "dns_name" {
  description = "DNS name of the example load balancer."
  value       = module.alb.dns_name
}

output "target_group_arns" {
  description = "Target groups of the example load balancer."
  value       = module.alb.target_group_arns
}
