output "name" {
  description = "Name of the Auto Scaling group (the `AutoScalingGroupName` CloudWatch dimension)."
  value       = aws_autoscaling_group.this.name
}

output "arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_latest_version" {
  description = "Latest version of the launch template (what the group launches)."
  value       = aws_launch_template.this.latest_version
}

output "security_group_id" {
  description = "ID of the instances' security group; allow it on database and cache ports."
  value       = aws_security_group.this.id
}

output "iam_role_name" {
  description = "Name of the instances' IAM role, for attaching more policies from outside."
  value       = aws_iam_role.this.name
}

output "iam_role_arn" {
  description = "ARN of the instances' IAM role."
  value       = aws_iam_role.this.arn
}

output "instance_profile_arn" {
  description = "ARN of the IAM instance profile in the launch template."
  value       = aws_iam_instance_profile.this.arn
}

output "cpu_scaling_policy_arn" {
  description = "ARN of the CPU target-tracking policy, or null."
  value       = var.cpu_target_value != null ? aws_autoscaling_policy.cpu[0].arn : null
}
