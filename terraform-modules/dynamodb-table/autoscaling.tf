locals {
  # One scalable target per (table or index) x (read or write).
  scaling_targets = local.autoscaled ? merge(
    {
      "table-read"  = { resource_id = "table/${var.name}", dimension = "dynamodb:table:ReadCapacityUnits", metric = "DynamoDBReadCapacityUtilization", min = var.read_capacity, max = var.autoscaling.max_read_capacity }
      "table-write" = { resource_id = "table/${var.name}", dimension = "dynamodb:table:WriteCapacityUnits", metric = "DynamoDBWriteCapacityUtilization", min = var.write_capacity, max = var.autoscaling.max_write_capacity }
    },
    merge([for g in local.gsis : {
      "${g.name}-read"  = { resource_id = "table/${var.name}/index/${g.name}", dimension = "dynamodb:index:ReadCapacityUnits", metric = "DynamoDBReadCapacityUtilization", min = g.read_capacity, max = var.autoscaling.max_read_capacity }
      "${g.name}-write" = { resource_id = "table/${var.name}/index/${g.name}", dimension = "dynamodb:index:WriteCapacityUnits", metric = "DynamoDBWriteCapacityUtilization", min = g.write_capacity, max = var.autoscaling.max_write_capacity }
    }]...)
  ) : {}
}

resource "aws_appautoscaling_target" "this" {
  for_each = local.scaling_targets

  service_namespace  = "dynamodb"
  resource_id        = each.value.resource_id
  scalable_dimension = each.value.dimension
  min_capacity       = each.value.min
  max_capacity       = max(each.value.max, each.value.min)
  tags               = var.tags

  depends_on = [aws_dynamodb_table.autoscaled]
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling_targets

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_utilization
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown
    scale_out_cooldown = var.autoscaling.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
    }
  }
}
