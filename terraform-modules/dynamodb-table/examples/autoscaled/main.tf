# The invoice table as the seed's prod.tfvars has it: provisioned 25/25 with autoscaling of the
# table and its three GSIs, PITR, a stream and TTL.
variable "name" {
  type        = string
  description = "Name of the example table (the tests pass a unique one)."
  default     = "example-invoices"
}

module "invoices" {
  source = "../.."

  name     = var.name
  hash_key = "invoiceId"
  attributes = [
    { name = "invoiceId", type = "S" },
    { name = "customerId", type = "S" },
    { name = "status", type = "S" },
    { name = "yearMonth", type = "S" },
    { name = "createdAt", type = "S" },
  ]
  global_secondary_indexes = [
    { name = "customerId-index", hash_key = "customerId", range_key = "createdAt" },
    { name = "status-index", hash_key = "status", range_key = "createdAt" },
    { name = "createdAt-index", hash_key = "yearMonth", range_key = "createdAt" },
  ]
  billing_mode        = "PROVISIONED"
  read_capacity       = 25
  write_capacity      = 25
  autoscaling         = { max_read_capacity = 250, max_write_capacity = 250 }
  stream_view_type    = "NEW_AND_OLD_IMAGES"
  ttl_attribute       = "expiresAt"
  deletion_protection = false # example only: lets the test destroy it
  tags                = { Environment = "example" }
}

output "table_arn" {
  description = "ARN of the example table."
  value       = module.invoices.table_arn
}

output "stream_arn" {
  description = "Stream ARN of the example table."
  value       = module.invoices.stream_arn
}
