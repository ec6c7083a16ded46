locals {
  # 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:tag -> the repository's ARN, so the execution
  # role may pull exactly the images the task uses.
  ecr_images = [
    for container in values(var.containers) : regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", container.image)
    if can(regex("^[0-9]{12}\\.dkr\\.ecr\\.", container.image))
  ]
  ecr_repository_arns = distinct([for image in local.ecr_images : "arn:${local.partition}:ecr:${image[1]}:${image[0]}:repository/${image[2]}"])

  secret_refs            = distinct(flatten([for container in values(var.containers) : values(container.secrets)]))
  secretsmanager_secrets = distinct([for ref in local.secret_refs : join(":", slice(split(":", ref), 0, 7)) if strcontains(ref, ":secretsmanager:")])
  ssm_parameters         = [for ref in local.secret_refs : ref if strcontains(ref, ":ssm:")]
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EcsTasksAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy guard: only ECS acting for this account may assume the roles.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

# Execution role: what ECS needs to start the task (pull the image, write logs, read secrets).
resource "aws_iam_role" "execution" {
  name_prefix        = "${substr(var.name, 0, 26)}-exec-"
  description        = "ECS task execution role of ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []
    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []
    content {
      sid       = "PullTaskImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
      resources = local.ecr_repository_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.secretsmanager_secrets) > 0 ? [1] : []
    content {
      sid       = "ReadTaskSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secretsmanager_secrets
    }
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameters) > 0 ? [1] : []
    content {
      sid       = "ReadTaskParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.ssm_parameters
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "DecryptTaskSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "task-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Task role: what the application itself may do.
resource "aws_iam_role" "task" {
  name_prefix        = "${substr(var.name, 0, 26)}-task-"
  description        = "Task role of ${var.name} (the application's permissions)"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  count = var.task_role_policy_json != null ? 1 : 0

  name   = "application"
  role   = aws_iam_role.task.id
  policy = var.task_role_policy_json
}

resource "aws_iam_role_policy_attachment" "task" {
  for_each = var.task_role_policy_arns

  role       = aws_iam_role.task.name
  policy_arn = each.value
}

data "aws_iam_policy_document" "execute_command" {
  statement {
    sid       = "EcsExecChannel"
    actions   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "execute_command" {
  count = var.enable_execute_command ? 1 : 0

  name   = "ecs-exec"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.execute_command.json
}
