locals {
  provisioned = var.billing_mode == "PROVISIONED"
  autoscaled  = local.provisioned && try(var.autoscaling.enabled, false)
  table       = local.autoscaled ? aws_dynamodb_table.autoscaled[0] : aws_dynamodb_table.this[0]
  key_names   = compact(concat([var.hash_key, var.range_key], flatten([for g in var.global_secondary_indexes : [g.hash_key, g.range_key]])))
  attr_names  = [for a in var.attributes : a.name]
  gsis = [for g in var.global_secondary_indexes : merge(g, {
    read_capacity  = local.provisioned ? coalesce(g.read_capacity, var.read_capacity) : null
    write_capacity = local.provisioned ? coalesce(g.write_capacity, var.write_capacity) : null
  })]
  preconditions_ok = length(setsubtract(local.key_names, local.attr_names)) == 0 && length(setsubtract(local.attr_names, local.key_names)) == 0
}

# Two variants of one table: with autoscaling, terraform must not reset the capacity the
# autoscaler set, and ignore_changes cannot be conditional.
resource "aws_dynamodb_table" "this" {
  count = local.autoscaled ? 0 : 1
  #checkov:skip=CKV_AWS_119:Encryption at rest is always on; the AWS managed key is the default (as the seed systems use), a customer key is one variable away (kms_key_arn)

  name                        = var.name
  billing_mode                = var.billing_mode
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  read_capacity               = local.provisioned ? var.read_capacity : null
  write_capacity              = local.provisioned ? var.write_capacity : null
  stream_enabled              = var.stream_view_type != null
  stream_view_type            = var.stream_view_type
  deletion_protection_enabled = var.deletion_protection
  table_class                 = var.table_class
  tags                        = var.tags

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.gsis
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.non_key_attributes
      read_capacity      = global_secondary_index.value.read_capacity
      write_capacity     = global_secondary_index.value.write_capacity
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  lifecycle {
    precondition {
      condition     = local.preconditions_ok
      error_message = "attributes must define exactly the key attributes of the table and its GSIs: ${join(", ", distinct(local.key_names))}."
    }
  }
}

resource "aws_dynamodb_table" "autoscaled" {
  count = local.autoscaled ? 1 : 0
  #checkov:skip=CKV_AWS_119:Encryption at rest is always on; the AWS managed key is the default (as the seed systems use), a customer key is one variable away (kms_key_arn)

  name                        = var.name
  billing_mode                = var.billing_mode
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  read_capacity               = var.read_capacity
  write_capacity              = var.write_capacity
  stream_enabled              = var.stream_view_type != null
  stream_view_type            = var.stream_view_type
  deletion_protection_enabled = var.deletion_protection
  table_class                 = var.table_class
  tags                        = var.tags

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.gsis
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.non_key_attributes
      read_capacity      = global_secondary_index.value.read_capacity
      write_capacity     = global_secondary_index.value.write_capacity
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  lifecycle {
    # GSI capacity is also moved by the autoscaler; GSI changes on an autoscaled table
    # therefore need `terraform apply -replace` or a temporary autoscaling = null.
    ignore_changes = [read_capacity, write_capacity, global_secondary_index]

    precondition {
      condition     = local.preconditions_ok
      error_message = "attributes must define exactly the key attributes of the table and its GSIs: ${join(", ", distinct(local.key_names))}."
    }
  }
}
