# An EC2 app host role with an instance profile: an inline policy reading one bucket prefix
# and a customer managed policy from the iam-policy module. (AWS managed policies such as
# AmazonSSMManagedInstanceCore attach the same way; the local endpoint does not have them.)
variable "name" {
  type        = string
  description = "Name of the example role (the tests pass a unique one)."
  default     = "example-app-host"
}

data "aws_iam_policy_document" "read_config" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${var.name}-config/app/*"]
  }
}

module "queue_policy" {
  source = "../../../iam-policy"

  name       = "${var.name}-consume"
  statements = [{ actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources = ["arn:aws:sqs:us-east-1:123456789012:${var.name}"] }]
}

module "role" {
  source = "../.."

  name                    = var.name
  description             = "App host"
  trusted_services        = ["ec2.amazonaws.com"]
  create_instance_profile = true
  inline_policies         = { "read-config" = data.aws_iam_policy_document.read_config.json }
  managed_policy_arns = {
    queue = module.queue_policy.policy_arn
  }
  tags = { Environment = "example" }
}

output "instance_profile_name" {
  description = "Instance profile of the example role."
  value       = module.role.instance_profile_name
}
