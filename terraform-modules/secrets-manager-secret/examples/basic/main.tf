# Two fast-api-jwt secrets: database credentials with a generated password (JSON), and a
# signing key created empty, to be filled out of band.
variable "name" {
  type        = string
  description = "Name prefix of the example secrets (the tests pass a unique one)."
  default     = "example-app"
}

module "db_credentials" {
  source = "../.."

  name                    = "${var.name}/db-credentials"
  description             = "Application database user"
  generate_password       = { length = 32, json_key = "password", json_fields = { username = "app" } }
  recovery_window_in_days = 0 # example only: lets the test delete it at once
  tags                    = { Environment = "example" }
}

module "signing_key" {
  source = "../.."

  name                    = "${var.name}/jwt-signing-key"
  description             = "JWT signing key, set by the security team"
  recovery_window_in_days = 0 # example only
}

output "db_credentials_arn" {
  description = "ARN of the example credentials secret."
  value       = module.db_credentials.secret_arn
}
