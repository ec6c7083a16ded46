# An internet-facing load balancer as MueJam runs it: HTTP redirected to HTTPS, a certificate
# validated in the site's zone, an app target group checked on /health and an API group behind
# a path rule.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "alb-example"
}

data "aws_availability_zones" "available" {
  state = "available"
}

# A minimal public network so the example stands alone.
resource "aws_vpc" "example" {
  cidr_block = "10.43.0.0/16"
  tags       = { Name = var.name }
}

resource "aws_internet_gateway" "example" {
  vpc_id = aws_vpc.example.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.example.id
  cidr_block        = cidrsubnet(aws_vpc.example.cidr_block, 8, count.index + 1)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "${var.name}-public-${count.index + 1}" }
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
  vpc_id              = aws_vpc.example.id
  subnet_ids          = aws_subnet.public[*].id
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

  # The example is destroyed again right away.
  deletion_protection = false

  tags = { Example = "alb" }

  depends_on = [aws_internet_gateway.example]
}

output "dns_name" {
  description = "DNS name of the example load balancer."
  value       = module.alb.dns_name
}

output "target_group_arns" {
  description = "Target groups of the example load balancer."
  value       = module.alb.target_group_arns
}
