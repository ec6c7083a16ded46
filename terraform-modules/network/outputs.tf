output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Zones the subnets were spread over."
  value       = var.availability_zones
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in availability_zones order."
  value       = [for az in var.availability_zones : aws_subnet.public[az].id if contains(keys(aws_subnet.public), az)]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in availability_zones order."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id if contains(keys(aws_subnet.private), az)]
}

output "database_subnet_ids" {
  description = "IDs of the database subnets, in availability_zones order."
  value       = [for az in var.availability_zones : aws_subnet.database[az].id if contains(keys(aws_subnet.database), az)]
}

output "database_subnet_group_name" {
  description = "Name of the RDS DB subnet group, or null when none was created."
  value       = try(aws_db_subnet_group.this[0].name, null)
}

output "internet_gateway_id" {
  description = "ID of the internet gateway, or null without public subnets."
  value       = try(aws_internet_gateway.this[0].id, null)
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (empty when nat_gateway_mode is \"none\")."
  value       = [for az in local.nat_zones : aws_nat_gateway.this[az].id]
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways: what the internet sees from private subnets (for allow-lists)."
  value       = [for az in local.nat_zones : aws_eip.nat[az].public_ip]
}

output "public_route_table_id" {
  description = "ID of the public route table, or null without public subnets."
  value       = try(aws_route_table.public[0].id, null)
}

output "private_route_table_ids" {
  description = "IDs of the private route tables (one per zone with per_az NAT, else one)."
  value       = [for k in local.private_route_keys : aws_route_table.private[k].id]
}

output "database_route_table_id" {
  description = "ID of the database route table (local route only), or null without database subnets."
  value       = try(aws_route_table.database[0].id, null)
}

output "default_security_group_id" {
  description = "ID of the VPC's default security group, kept without rules."
  value       = aws_default_security_group.this.id
}

output "flow_log_group_name" {
  description = "CloudWatch log group receiving the flow logs, or null when they are off."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}
