locals {
  route_list = [for key, r in var.routes : merge(r, {
    key    = key
    method = split(" ", key)[0]
    path   = trim(split(" ", key)[1], "/")
  })]
  # Every path prefix that must exist as an API resource, by depth ("" is the root).
  paths = distinct(flatten([for r in local.route_list : [
    for i in range(length(split("/", r.path))) : join("/", slice(split("/", r.path), 0, i + 1))
  ] if r.path != ""]))
  depth = { for p in local.paths : p => length(split("/", p)) }
  level = { for d in [1, 2, 3, 4, 5] : d => { for p in local.paths : p => {
    part   = element(split("/", p), d - 1)
    parent = join("/", slice(split("/", p), 0, d - 1))
  } if local.depth[p] == d } }

  resource_ids = merge(
    { "" = aws_api_gateway_rest_api.this.root_resource_id },
    { for p, r in aws_api_gateway_resource.level1 : p => r.id },
    { for p, r in aws_api_gateway_resource.level2 : p => r.id },
    { for p, r in aws_api_gateway_resource.level3 : p => r.id },
    { for p, r in aws_api_gateway_resource.level4 : p => r.id },
    { for p, r in aws_api_gateway_resource.level5 : p => r.id },
  )
  routes = { for r in local.route_list : r.key => r }
  validator = {
    BODY   = { body = true, params = false }
    PARAMS = { body = false, params = true }
    ALL    = { body = true, params = true }
  }
  functions = { for r in local.route_list : "${r.lambda_function_name}:${coalesce(r.lambda_qualifier, "$LATEST")}" => r... }
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = var.description
  tags        = var.tags

  endpoint_configuration {
    types = [var.endpoint_type]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# API resources one level at a time: a resource's parent must exist (and be known) first.
resource "aws_api_gateway_resource" "level1" {
  for_each = local.level[1]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level2" {
  for_each = local.level[2]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level3" {
  for_each = local.level[3]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level2[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level4" {
  for_each = local.level[4]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level3[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level5" {
  for_each = local.level[5]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level4[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_request_validator" "this" {
  for_each = toset(distinct([for r in local.route_list : r.validate if r.validate != "NONE"]))

  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "validate-${lower(each.key)}"
  validate_request_body       = local.validator[each.key].body
  validate_request_parameters = local.validator[each.key].params
}

resource "aws_api_gateway_model" "this" {
  for_each = { for k, r in local.routes : k => r if r.request_schema != null }

  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "${title(lower(each.value.method))}${join("", [for s in split("/", replace(each.value.path, "/[{}+]/", "")) : title(s)])}Request"
  content_type = "application/json"
  schema       = each.value.request_schema
}

resource "aws_api_gateway_method" "this" {
  for_each = local.routes
  #checkov:skip=CKV_AWS_59:authorization NONE is allowed only together with a required API key (enforced by a variable validation)
  #checkov:skip=CKV2_AWS_53:Request validation is per route (routes[*].validate), chosen by the caller

  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = local.resource_ids[each.value.path]
  http_method          = each.value.method
  authorization        = each.value.authorization
  authorizer_id        = each.value.authorizer_id
  api_key_required     = each.value.api_key_required
  request_validator_id = each.value.validate == "NONE" ? null : aws_api_gateway_request_validator.this[each.value.validate].id
  request_models       = each.value.request_schema == null ? null : { "application/json" = aws_api_gateway_model.this[each.key].name }
  request_parameters   = each.value.request_parameters
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.this[each.key].resource_id
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = each.value.lambda_invoke_arn
}

resource "aws_lambda_permission" "this" {
  for_each = local.functions

  statement_id  = "apigateway-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = each.value[0].lambda_function_name
  qualifier     = each.value[0].lambda_qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}
