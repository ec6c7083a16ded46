locals {
  cors_paths = var.cors == null ? [] : distinct([for r in local.route_list : r.path])
  cors_headers = var.cors == null ? {} : merge({
    "Access-Control-Allow-Origin"  = "'${var.cors.allow_origins[0]}'"
    "Access-Control-Allow-Methods" = "'${join(",", var.cors.allow_methods)}'"
    "Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
    "Access-Control-Max-Age"       = "'${var.cors.max_age_seconds}'"
  }, var.cors.allow_credentials ? { "Access-Control-Allow-Credentials" = "'true'" } : {})
}

resource "aws_api_gateway_method" "options" {
  for_each = toset(local.cors_paths)
  #checkov:skip=CKV_AWS_59:CORS preflight requests carry no credentials by specification; the mock integration returns headers only
  #checkov:skip=CKV2_AWS_53:A CORS preflight has no body or parameters to validate

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "options" {
  for_each = toset(local.cors_paths)

  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = aws_api_gateway_method.options[each.key].resource_id
  http_method       = "OPTIONS"
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 200}" }
}

resource "aws_api_gateway_method_response" "options" {
  for_each = toset(local.cors_paths)

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = aws_api_gateway_method.options[each.key].resource_id
  http_method         = "OPTIONS"
  status_code         = "200"
  response_parameters = { for h in keys(local.cors_headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "options" {
  for_each = toset(local.cors_paths)

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = aws_api_gateway_method.options[each.key].resource_id
  http_method         = "OPTIONS"
  status_code         = aws_api_gateway_method_response.options[each.key].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }

  depends_on = [aws_api_gateway_integration.options]
}

# Errors API Gateway produces itself (missing key, failed validation, throttling) carry CORS
# headers too, or browsers hide the real error behind a CORS failure.
resource "aws_api_gateway_gateway_response" "cors" {
  for_each = var.cors == null ? toset([]) : toset(["DEFAULT_4XX", "DEFAULT_5XX"])

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin"  = local.cors_headers["Access-Control-Allow-Origin"]
    "gatewayresponse.header.Access-Control-Allow-Headers" = local.cors_headers["Access-Control-Allow-Headers"]
  }
}
