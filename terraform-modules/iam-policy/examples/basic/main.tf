# A read-only policy on one bucket prefix and one table, the fast-api-jwt "policies" unit.
variable "name" {
  type        = string
  description = "Name of the example policy (the tests pass a unique one)."
  default     = "example-read-files"
}

module "read_files" {
  source = "../.."

  name        = var.name
  description = "Read uploaded files and their index"
  statements = [
    {
      sid       = "ReadUploads"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::${var.name}-files/uploads/*"]
    },
    {
      sid       = "QueryIndex"
      actions   = ["dynamodb:GetItem", "dynamodb:Query"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/${var.name}"]
    },
  ]
  tags = { Environment = "example" }
}

output "policy_arn" {
  description = "ARN of the example policy."
  value       = module.read_files.policy_arn
}
