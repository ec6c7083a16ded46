data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  region    = data.aws_region.current.name
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id

  # JSON the ECS API expects, without null or empty fields (they would read back as drift).
  container_definitions = [
    for container_name, container in var.containers : {
      for key, value in {
        name                   = container_name
        image                  = container.image
        essential              = container.essential
        cpu                    = container.cpu
        memory                 = container.memory
        memoryReservation      = container.memory_reservation
        command                = container.command
        entryPoint             = container.entry_point
        user                   = container.user
        workingDirectory       = container.working_directory
        readonlyRootFilesystem = container.readonly_root_filesystem
        portMappings = [
          for mapping in container.port_mappings : {
            for key, value in { containerPort = mapping.container_port, protocol = mapping.protocol, name = mapping.name } : key => value if value != null
          }
        ]
        environment = [for env_name in sort(keys(container.environment)) : { name = env_name, value = container.environment[env_name] }]
        secrets     = [for env_name in sort(keys(container.secrets)) : { name = env_name, valueFrom = container.secrets[env_name] }]
        healthCheck = container.health_check == null ? null : {
          command     = container.health_check.command
          interval    = container.health_check.interval
          timeout     = container.health_check.timeout
          retries     = container.health_check.retries
          startPeriod = container.health_check.start_period
        }
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            "awslogs-group"         = aws_cloudwatch_log_group.this.name
            "awslogs-region"        = local.region
            "awslogs-stream-prefix" = container_name
          }
        }
      } : key => value if value != null && try(length(value) > 0, true)
    }
  ]

  container_ports = distinct(flatten([for container in values(var.containers) : [for mapping in container.port_mappings : mapping.container_port]]))
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.container_definitions)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.load_balancer == null || try(contains(keys(var.containers), var.load_balancer.container_name), false)
      error_message = "load_balancer.container_name must name one of the containers."
    }
  }
}
