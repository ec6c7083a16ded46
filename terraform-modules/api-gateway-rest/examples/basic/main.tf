# The invoice API: four routes on one Lambda alias, JSON Schema validation on POST, an API
# key with a usage plan (10,000 requests/day, 100/s burst), CORS for the web client.
variable "name" {
  type        = string
  description = "Name prefix of the example resources (the tests pass a unique one)."
  default     = "example-invoice-api"
}

module "handler" {
  source = "../../../lambda-function"

  function_name = "${var.name}-handler"
  package       = { local_zip = "${path.module}/handler.zip" }
  create_dlq    = false # synchronous API calls have no async failures to keep
}

module "api" {
  source = "../.."

  name = var.name
  routes = {
    "GET /invoices" = {
      lambda_invoke_arn    = module.handler.alias_invoke_arn
      lambda_function_name = module.handler.function_name
      lambda_qualifier     = module.handler.alias_name
      validate             = "PARAMS"
      request_parameters   = { "method.request.querystring.limit" = false }
    }
    "GET /invoices/{id}" = {
      lambda_invoke_arn    = module.handler.alias_invoke_arn
      lambda_function_name = module.handler.function_name
      lambda_qualifier     = module.handler.alias_name
    }
    "POST /invoices" = {
      lambda_invoke_arn    = module.handler.alias_invoke_arn
      lambda_function_name = module.handler.function_name
      lambda_qualifier     = module.handler.alias_name
      validate             = "BODY"
      request_schema = jsonencode({
        "$schema"  = "http://json-schema.org/draft-04/schema#", type = "object",
        required   = ["customerId", "amount"],
        properties = { customerId = { type = "string" }, amount = { type = "number", minimum = 0 } }
      })
    }
    "PATCH /invoices/{id}" = {
      lambda_invoke_arn    = module.handler.alias_invoke_arn
      lambda_function_name = module.handler.function_name
      lambda_qualifier     = module.handler.alias_name
    }
  }
  cors                           = { allow_origins = ["https://invoices.example.com"] }
  api_keys                       = ["web-client"]
  usage_plan                     = { quota_limit = 10000, quota_period = "DAY", burst_limit = 100 }
  create_account_cloudwatch_role = true
  tags                           = { Environment = "example" }
}

output "invoke_url" {
  description = "Base URL of the example API."
  value       = module.api.invoke_url
}
