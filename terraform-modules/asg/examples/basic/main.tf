# MueJam's app tier: an Auto Scaling group in private subnets behind an internal load balancer,
# the app port open to the load balancer only, scaling on CPU, two interchangeable instance types.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "asg-example"
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer (the local test turns it off so it can destroy the example)."
  type        = bool
  default     = true
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd*/ubuntu-*-amd64-server-*"]
  }
}

module "network" {
  source = "../../../network"

  name                 = var.name
  cidr_block           = "10.44.0.0/16"
  availability_zones   = ["us-east-1a", "us-east-1b"]
  private_subnet_cidrs = ["10.44.11.0/24", "10.44.12.0/24"]
  nat_gateway_mode     = "none"
  flow_logs            = { retention_in_days = 30 }
}

module "alb" {
  source = "../../../alb"

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  ingress_cidr_blocks = [module.network.vpc_cidr_block]
  plain_http          = true
  target_groups = {
    app = { port = 8000, health_check = { path = "/health" } }
  }
  deletion_protection = var.deletion_protection
}

module "asg" {
  source = "../.."

  name          = var.name
  vpc_id        = module.network.vpc_id
  subnet_ids    = module.network.private_subnet_ids
  ami_id        = data.aws_ami.ubuntu.id
  instance_type = "t3.micro"
  min_size      = 1
  max_size      = 3

  target_group_arns             = [module.alb.target_group_arns["app"]]
  app_port                      = 8000
  app_source_security_group_ids = { alb = module.alb.security_group_id }

  mixed_instances = {
    instance_types = ["t3.micro", "t3a.micro"]
  }
  cpu_target_value = 70
  user_data        = "#cloud-config\npackage_update: true\n"

  tags = { Example = "asg" }
}

output "asg_name" {
  description = "Name of the example Auto Scaling group."
  value       = module.asg.name
}

output "app_security_group_id" {
  description = "Security group of the example instances."
  value       = module.asg.security_group_id
}
