# MueJam's alarm set in small: database CPU and connections, cache memory and evictions, load
# balancer 5xx, on an encrypted topic with an email subscriber, plus the generated dashboard.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "monitoring-example"
}

module "monitoring" {
  source = "../.."

  name = var.name
  alarms = [
    { name = "db-cpu", namespace = "AWS/RDS", metric_name = "CPUUtilization", dimensions = { DBInstanceIdentifier = "${var.name}-db" }, threshold = 80 },
    { name = "db-connections", namespace = "AWS/RDS", metric_name = "DatabaseConnections", dimensions = { DBInstanceIdentifier = "${var.name}-db" }, threshold = 80 },
    { name = "db-replica-lag", namespace = "AWS/RDS", metric_name = "ReplicaLag", dimensions = { DBInstanceIdentifier = "${var.name}-db-replica-1" }, threshold = 1, period = 60, evaluation_periods = 3 },
    { name = "redis-memory", namespace = "AWS/ElastiCache", metric_name = "DatabaseMemoryUsagePercentage", dimensions = { CacheClusterId = "${var.name}-redis-001" }, threshold = 80 },
    { name = "redis-evictions", namespace = "AWS/ElastiCache", metric_name = "Evictions", dimensions = { CacheClusterId = "${var.name}-redis-001" }, statistic = "Sum", threshold = 1000 },
    { name = "alb-5xx", namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_ELB_5XX_Count", dimensions = { LoadBalancer = "app/${var.name}/0123456789abcdef" }, statistic = "Sum", threshold = 10, period = 60, treat_missing_data = "notBreaching" },
    { name = "alb-latency-p99", namespace = "AWS/ApplicationELB", metric_name = "TargetResponseTime", dimensions = { LoadBalancer = "app/${var.name}/0123456789abcdef" }, extended_statistic = "p99", threshold = 2 },
  ]
  subscriptions = [{ protocol = "email", endpoint = "ops@example.com" }]

  tags = { Example = "monitoring" }
}

output "sns_topic_arn" {
  description = "Topic the example alarms notify."
  value       = module.monitoring.sns_topic_arn
}

output "dashboard_name" {
  description = "Name of the example dashboard."
  value       = module.monitoring.dashboard_name
}
