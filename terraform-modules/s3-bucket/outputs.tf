output "bucket_id" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket (for CloudFront origins and virtual-hosted URLs)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "replication_role_arn" {
  description = "ARN of the replication role, or null without replication."
  value       = try(aws_iam_role.replication[0].arn, null)
}
