locals {
  generated = var.generate_password != null
  # Whether a value is given is not secret, but comparing the sensitive variable marks the
  # result sensitive, and a root module (a unit) refuses such an output unless unmarked.
  has_value = local.generated || nonsensitive(var.secret_string != null)
  generated_value = local.generated ? (
    var.generate_password.json_key == null ? data.aws_secretsmanager_random_password.this[0].random_password :
    jsonencode(merge(var.generate_password.json_fields, { (var.generate_password.json_key) = data.aws_secretsmanager_random_password.this[0].random_password }))
  ) : null
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV_AWS_149:Encrypted with the aws/secretsmanager managed key by default; a customer key is one variable away (kms_key_id)
  #checkov:skip=CKV2_AWS_57:Rotation needs a rotation Lambda specific to what the secret unlocks; it is enabled through var.rotation
  name                    = var.name
  description             = var.description
  kms_key_id              = var.kms_key_id
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region     = replica.value
      kms_key_id = var.kms_key_id
    }
  }
}

# Generated on the API side; the value does reach the state (as every value terraform
# writes does), so the state backend must be encrypted and access-controlled. It is never
# an output.
data "aws_secretsmanager_random_password" "this" {
  count = local.generated ? 1 : 0

  password_length     = var.generate_password.length
  exclude_punctuation = var.generate_password.exclude_punctuation
  exclude_characters  = var.generate_password.exclude_characters
}

# Two variants: ignore_changes cannot be conditional.
resource "aws_secretsmanager_secret_version" "managed" {
  count = local.has_value && !local.generated && !var.ignore_value_changes ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = var.secret_string
}

resource "aws_secretsmanager_secret_version" "initial" {
  count = local.has_value && (local.generated || var.ignore_value_changes) ? 1 : 0

  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = local.generated ? local.generated_value : var.secret_string

  lifecycle {
    # A new random password is drawn at every plan; only the first one is stored.
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret_policy" "this" {
  count = var.policy_json == null ? 0 : 1

  secret_arn          = aws_secretsmanager_secret.this.arn
  policy              = var.policy_json
  block_public_policy = true
}

resource "aws_secretsmanager_secret_rotation" "this" {
  #checkov:skip=CKV_AWS_304:rotation.automatically_after_days defaults to 30 and a variable validation caps it at 90; checkov cannot resolve optional() defaults
  count = var.rotation == null ? 0 : 1

  secret_id           = aws_secretsmanager_secret.this.id
  rotation_lambda_arn = var.rotation.lambda_arn

  rotation_rules {
    automatically_after_days = var.rotation.automatically_after_days
  }

  depends_on = [aws_secretsmanager_secret_version.initial, aws_secretsmanager_secret_version.managed]
}
