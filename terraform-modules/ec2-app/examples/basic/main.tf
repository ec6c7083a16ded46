# Two named app hosts in a private subnet, as the fast-api-jwt seed runs them: the API host and a
# self-hosted runner, SSH only from inside the VPC, reachable by Ansible through their private IPs.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "ec2-app-example"
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

# A minimal network so the example stands alone (real stacks pass the network module's outputs).
resource "aws_vpc" "example" {
  cidr_block = "10.42.0.0/16"
  tags       = { Name = var.name }
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.example.id
  cidr_block        = "10.42.1.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
  tags              = { Name = "${var.name}-private" }
}

module "app_hosts" {
  source = "../.."

  name       = var.name
  vpc_id     = aws_vpc.example.id
  subnet_ids = [aws_subnet.private.id]
  ami_id     = data.aws_ami.ubuntu.id

  hosts = {
    "${var.name}-api"    = { ansible_groups = ["api"] }
    "${var.name}-runner" = { instance_type = "t3.small", ansible_groups = ["runners"] }
  }
  ansible_groups = ["app"]

  ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAB8AauPI2IZbpV379rPJBU3yShZFzVGNGhFNCw23PXN example@groundwork"
  user_data      = "#cloud-config\npackage_update: true\n"

  ingress_rules = {
    ssh-from-vpc = { description = "SSH from inside the VPC", from_port = 22, to_port = 22, cidr_ipv4 = aws_vpc.example.cidr_block }
    api-from-vpc = { description = "API port from inside the VPC", from_port = 8000, to_port = 8000, cidr_ipv4 = aws_vpc.example.cidr_block }
  }

  # The local endpoint (moto) does not implement MonitorInstances; real accounts keep the default.
  detailed_monitoring = false

  tags = { Example = "ec2-app" }
}

output "hosts" {
  description = "Host records for an Ansible inventory."
  value       = module.app_hosts.hosts
}
