# MueJam's app tier: an Auto Scaling group in private subnets behind an internal load balancer,
# the app port open to the load balancer only, scaling on CPU, two interchangeable instance types.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "asg-example"
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd*/ubuntu-*-amd64-server-*"]
  }
}

# A minimal network so the example stands alone.
resource "aws_vpc" "example" {
  cidr_block = "10.44.0.0/16"
  tags       = { Name = var.name }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.example.id
  cidr_block        = cidrsubnet(aws_vpc.example.cidr_block, 8, count.index + 1)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "${var.name}-private-${count.index + 1}" }
}

module "alb" {
  source = "../../../alb"

  name                = var.name
  vpc_id              = aws_vpc.example.id
  subnet_ids          = aws_subnet.private[*].id
  ingress_cidr_blocks = [aws_vpc.example.cidr_block]
  target_groups = {
    app = { port = 8000, health_check = { path = "/health" } }
  }
  deletion_protection = false
}

module "asg" {
  source = "../.."

  name          = var.name
  vpc_id        = aws_vpc.example.id
  subnet_ids    = aws_subnet.private[*].id
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
