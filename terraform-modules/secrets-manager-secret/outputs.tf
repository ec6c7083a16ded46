output "secret_arn" {
  description = "ARN of the secret (grant secretsmanager:GetSecretValue on it; the value itself is never an output)."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.this.name
}

output "secret_id" {
  description = "ID of the secret (same as the ARN)."
  value       = aws_secretsmanager_secret.this.id
}

output "has_value" {
  description = "Whether terraform stored an initial value (false: fill it out of band)."
  value       = local.has_value
}
