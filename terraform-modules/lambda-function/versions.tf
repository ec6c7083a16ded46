terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # tags on aws_lambda_event_source_mapping arrived in 5.70
      version = ">= 5.70, < 7.0"
    }
  }
}
