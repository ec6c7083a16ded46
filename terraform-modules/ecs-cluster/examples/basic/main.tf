# SARC-NG's compute/ecs-cluster unit: a Fargate cluster with Container Insights, mostly Fargate
# with Spot capacity on top, and ECS Exec sessions recorded.
variable "name" {
  description = "Name prefix for the example's resources (the tests pass a unique one)."
  type        = string
  default     = "ecs-cluster-example"
}

module "cluster" {
  source = "../.."

  name = var.name
  default_capacity_provider_strategy = [
    { capacity_provider = "FARGATE", weight = 1, base = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = 3 },
  ]
  execute_command_logging = { retention_in_days = 365 }

  tags = { Example = "ecs-cluster" }
}

output "cluster_arn" {
  description = "ARN of the example cluster."
  value       = module.cluster.arn
}
