terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # kms_key_identifier on aws_cloudwatch_event_bus arrived in 5.60
      version = ">= 5.60, < 7.0"
    }
  }
}
