data "aws_iam_policy_document" "this" {
  source_policy_documents = var.source_policy_json == null ? [] : [var.source_policy_json]

  dynamic "statement" {
    for_each = var.statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_policy" "this" {
  name        = var.name
  description = var.description
  path        = var.path
  policy      = data.aws_iam_policy_document.this.json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(var.statements) > 0 || var.source_policy_json != null
      error_message = "Give statements or source_policy_json: an empty policy grants nothing."
    }
  }
}
