locals {
  host_facts = {
    for host_name, instance in aws_instance.this : host_name => {
      name              = host_name
      id                = instance.id
      private_ip        = instance.private_ip
      public_ip         = instance.public_ip != "" ? instance.public_ip : null
      availability_zone = instance.availability_zone
      ansible_host = (
        var.ansible_host_address == "private_ip" ? instance.private_ip :
        var.ansible_host_address == "public_ip" ? instance.public_ip :
        coalesce(instance.public_ip, instance.private_ip)
      )
      ansible_groups = distinct(concat(var.ansible_groups, local.hosts[host_name].ansible_groups))
    }
  }
}

output "hosts" {
  description = "Hosts by name: {name, id, private_ip, public_ip, availability_zone, ansible_host, ansible_groups}, ready to become an Ansible inventory."
  value       = local.host_facts
}

output "host_list" {
  description = "The same host records as `hosts`, as a list ordered by name."
  value       = [for host_name in sort(keys(local.host_facts)) : local.host_facts[host_name]]
}

output "instance_ids" {
  description = "Instance IDs by host name."
  value       = { for host_name, instance in aws_instance.this : host_name => instance.id }
}

output "security_group_id" {
  description = "ID of the security group attached to every host; reference it from database or cache rules."
  value       = aws_security_group.this.id
}

output "iam_role_name" {
  description = "Name of the hosts' IAM role, for attaching more policies from outside."
  value       = aws_iam_role.this.name
}

output "iam_role_arn" {
  description = "ARN of the hosts' IAM role."
  value       = aws_iam_role.this.arn
}

output "instance_profile_name" {
  description = "Name of the IAM instance profile the hosts use."
  value       = aws_iam_instance_profile.this.name
}

output "key_name" {
  description = "Key pair name the hosts were launched with (null when none)."
  value       = local.key_name
}
