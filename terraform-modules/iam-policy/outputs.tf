output "policy_arn" {
  description = "ARN of the policy (attach it with iam-role's managed_policy_arns)."
  value       = aws_iam_policy.this.arn
}

output "policy_name" {
  description = "Name of the policy."
  value       = aws_iam_policy.this.name
}

output "policy_json" {
  description = "The policy document as JSON."
  value       = data.aws_iam_policy_document.this.json
}
