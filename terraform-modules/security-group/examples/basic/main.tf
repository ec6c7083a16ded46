# A web tier group (HTTPS from anywhere, outbound HTTPS and PostgreSQL to the VPC) in a bare VPC.
variable "name" {
  type        = string
  description = "Name of the example group (the tests pass a unique one)."
  default     = "example-web"
}

resource "aws_vpc" "example" {
  #checkov:skip=CKV2_AWS_11:Throwaway example VPC; the network module enables flow logs
  #checkov:skip=CKV2_AWS_12:Throwaway example VPC; the network module locks down the default security group
  cidr_block = "10.42.0.0/16"
  tags       = { Name = var.name }
}

module "web_sg" {
  source = "../.."

  name        = var.name
  description = "Web tier"
  vpc_id      = aws_vpc.example.id
  ingress_rules = {
    https = { description = "HTTPS from anywhere", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0" }
  }
  egress_rules = {
    https    = { description = "HTTPS to AWS APIs and the internet", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0" }
    postgres = { description = "PostgreSQL inside the VPC", from_port = 5432, to_port = 5432, cidr_ipv4 = aws_vpc.example.cidr_block }
  }
  tags = { Environment = "example" }
}

output "security_group_id" {
  description = "ID of the example group."
  value       = module.web_sg.security_group_id
}
