output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer, the `LoadBalancer` dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer (alias target for Route 53 records)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Hosted zone ID of the load balancer (alias target zone for Route 53 records)."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "ID of the load balancer's security group; allow it on the targets' app port."
  value       = aws_security_group.this.id
}

output "target_group_arns" {
  description = "Target group ARNs by key."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by key, the `TargetGroup` dimension of CloudWatch metrics."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn_suffix }
}

output "default_target_group_arn" {
  description = "ARN of the target group the listener forwards to by default."
  value       = aws_lb_target_group.this[local.default_target_group].arn
}

output "http_listener_arn" {
  description = "ARN of the port 80 listener (a redirect when `https` is set), or null."
  value       = var.http_listener_enabled ? (local.https ? aws_lb_listener.http_redirect[0].arn : aws_lb_listener.http_forward[0].arn) : null
}

output "https_listener_arn" {
  description = "ARN of the port 443 listener, or null without `https`."
  value       = local.https ? aws_lb_listener.https[0].arn : null
}

output "serving_listener_arn" {
  description = "ARN of the listener that forwards traffic (HTTPS when `https` is set, else HTTP); attach extra rules here."
  value       = local.serving_listener_arn
}
