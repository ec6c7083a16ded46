# Two named app hosts in a private subnet, as the fast-api-jwt seed runs them: the API host and a
# self-hosted runner, SSH only from inside the VPC, reachable by Ansible through their private IPs.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "ec2-app-example"
}

variable "detailed_monitoring" {
  description = "One-minute monitoring of the hosts (the local test turns it off: moto does not implement MonitorInstances)."
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
  cidr_block           = "10.42.0.0/16"
  availability_zones   = ["us-east-1a"]
  private_subnet_cidrs = ["10.42.1.0/24"]
  nat_gateway_mode     = "none"
  flow_logs            = { retention_in_days = 30 }
}

module "app_hosts" {
  source = "../.."

  name       = var.name
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  ami_id     = data.aws_ami.ubuntu.id

  hosts = {
    "${var.name}-api"    = { ansible_groups = ["api"] }
    "${var.name}-runner" = { instance_type = "t3.small", ansible_groups = ["runners"] }
  }
  ansible_groups = ["app"]

  ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAB8AauPI2IZbpV379rPJBU3yShZFzVGNGhFNCw23PXN example@groundwork"
  user_data      = "#cloud-config\npackage_update: true\n"

  ingress_rules = {
    ssh-from-vpc = { description = "SSH from inside the VPC", from_port = 22, to_port = 22, cidr_ipv4 = module.network.vpc_cidr_block }
    api-from-vpc = { description = "API port from inside the VPC", from_port = 8000, to_port = 8000, cidr_ipv4 = module.network.vpc_cidr_block }
  }

  detailed_monitoring = var.detailed_monitoring

  tags = { Example = "ec2-app" }
}

output "hosts" {
  description = "Host records for an Ansible inventory."
  value       = module.app_hosts.hosts
}
