locals {
  public   = { for i, cidr in var.public_subnet_cidrs : var.availability_zones[i] => cidr }
  private  = { for i, cidr in var.private_subnet_cidrs : var.availability_zones[i] => cidr }
  database = { for i, cidr in var.database_subnet_cidrs : var.availability_zones[i] => cidr }

  create_igw = length(local.public) > 0
  # NAT gateways live in public subnets: one in the first zone, or one per zone with a public subnet.
  nat_zones = var.nat_gateway_mode == "none" || length(local.private) == 0 ? [] : (
    var.nat_gateway_mode == "single" ? [var.availability_zones[0]] : keys(local.public)
  )
  # Private route tables: one per zone with a NAT per zone, else one shared.
  private_route_keys = var.nat_gateway_mode == "per_az" ? keys(local.private) : (length(local.private) > 0 ? ["shared"] : [])
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition = alltrue([for cidrs in [var.public_subnet_cidrs, var.private_subnet_cidrs, var.database_subnet_cidrs] :
      length(cidrs) <= length(var.availability_zones)])
      error_message = "Each subnet tier may have at most one CIDR per availability zone (${length(var.availability_zones)} zones given)."
    }
    precondition {
      condition     = var.nat_gateway_mode == "none" || length(var.private_subnet_cidrs) == 0 || length(var.public_subnet_cidrs) > 0
      error_message = "NAT gateways need public subnets: set public_subnet_cidrs or nat_gateway_mode = \"none\"."
    }
    precondition {
      condition     = var.nat_gateway_mode != "per_az" || length(var.public_subnet_cidrs) >= length(var.private_subnet_cidrs)
      error_message = "nat_gateway_mode = \"per_az\" needs a public subnet in every zone that has a private subnet."
    }
    precondition {
      condition     = !var.create_database_subnet_group || length(var.database_subnet_cidrs) == 0 || length(var.database_subnet_cidrs) >= 2
      error_message = "A DB subnet group needs database subnets in at least two zones (or create_database_subnet_group = false)."
    }
  }
}

# Take over the default security group and leave it without rules, so nothing uses it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  count = local.create_igw ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  for_each = local.public

  vpc_id                  = aws_vpc.this.id
  cidr_block              = each.value
  availability_zone       = each.key
  map_public_ip_on_launch = var.map_public_ip_on_launch
  tags                    = merge(var.tags, { Name = "${var.name}-public-${each.key}", Tier = "public" })
}

resource "aws_subnet" "private" {
  for_each = local.private

  vpc_id            = aws_vpc.this.id
  cidr_block        = each.value
  availability_zone = each.key
  tags              = merge(var.tags, { Name = "${var.name}-private-${each.key}", Tier = "private" })
}

resource "aws_subnet" "database" {
  for_each = local.database

  vpc_id            = aws_vpc.this.id
  cidr_block        = each.value
  availability_zone = each.key
  tags              = merge(var.tags, { Name = "${var.name}-database-${each.key}", Tier = "database" })
}

resource "aws_db_subnet_group" "this" {
  count = var.create_database_subnet_group && length(local.database) > 0 ? 1 : 0

  name        = lower(var.name)
  description = "Database subnets of ${var.name}"
  subnet_ids  = [for s in aws_subnet.database : s.id]
  tags        = var.tags
}
