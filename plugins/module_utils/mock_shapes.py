# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plausible placeholders for mocked outputs, shaped like the AWS value they stand for.

A plan on a mock passes the mock to the AWS provider and to the dependent module's variable
validations, which check shapes: an ARN must parse, a VPC id must match ``^vpc-[0-9a-f]+$``, a
CIDR must be one. So a mocked ``vpc_id`` is ``vpc-00000000<hex>``, not ``mock-network-vpc_id``.

The shape comes from the output's name (``*_arn``, ``vpc_id``, ``*_subnet_ids``, ``*_cidr``,
``*_url``, ``*_endpoint``...), from the resource attribute its expression returns
(``aws_sqs_queue.this.arn`` is an SQS ARN, ``aws_vpc.this.id`` a VPC id, and for an output named
just ``arn`` the resource says which service), and from its description ("ARN", "URL").

Every mock stays recognisable: names and ARNs carry ``mock-<unit>-<output>``, hosts and URLs
live under ``mock.invalid`` (a reserved TLD), accounts are ``000000000000``, addresses are in
192.0.2.0/24 (documentation range), and resource ids are eight zeros and then a digest of
unit and output (AWS draws ids at random, and they must stay hex for the validations).
"""
from __future__ import annotations

import hashlib
import re

MOCK_ACCOUNT = "000000000000"
MOCK_REGION = "us-east-1"
MOCK_CIDR = "10.0.0.0/16"
# a policy document the provider accepts, that grants nothing if it were ever applied
MOCK_POLICY_JSON = ('{"Version":"2012-10-17","Statement":[{"Sid":"MockPolicy","Effect":"Deny",'
                    '"Action":"mock:Nothing","Resource":"*"}]}')

# resource id prefixes, by the output name (suffix, singular) and by resource type (attribute id)
_ID_PREFIX_BY_NAME = (
    (r"(^|_)vpc_id$", "vpc"),
    (r"subnet_ids?$", "subnet"),
    (r"security_group_rule_ids?$|(ingress|egress)_rule_ids?$", "sgr"),
    (r"security_group_ids?$|(^|_)sg_ids?$", "sg"),
    (r"internet_gateway_ids?$|(^|_)igw_ids?$", "igw"),
    (r"nat_gateway_ids?$", "nat"),
    (r"route_table_ids?$", "rtb"),
    (r"vpc_endpoint_ids?$", "vpce"),
    (r"network_interface_ids?$|(^|_)eni_ids?$", "eni"),
    (r"(^|_)instance_ids?$", "i"),
    (r"(^|_)ami_ids?$|(^|_)image_ids?$", "ami"),
    (r"launch_template_ids?$", "lt"),
    (r"allocation_ids?$|(^|_)eip_ids?$", "eipalloc"),
)
_ID_PREFIX_BY_RESOURCE = {
    "aws_vpc": "vpc", "aws_subnet": "subnet", "aws_security_group": "sg", "aws_internet_gateway": "igw",
    "aws_nat_gateway": "nat", "aws_route_table": "rtb", "aws_vpc_endpoint": "vpce",
    "aws_network_interface": "eni", "aws_instance": "i", "aws_ami": "ami", "aws_launch_template": "lt",
    "aws_eip": "eipalloc", "aws_vpc_security_group_ingress_rule": "sgr", "aws_vpc_security_group_egress_rule": "sgr",
}
# resources whose "id" attribute is their ARN
_ID_IS_ARN = frozenset("""
    aws_secretsmanager_secret aws_sns_topic aws_iam_policy aws_lb aws_alb aws_lb_target_group
    aws_alb_target_group aws_lb_listener aws_alb_listener aws_ecs_service aws_ecs_cluster
    """.split())

# ARN templates by resource type: {r} region, {a} account, {n} mock name, {b}/{s} the name as a
# lowercase slug (S3: 63 characters, ALB/RDS: 32), {u} a mock UUID, {h} 16 hex digits, {z} a
# hosted zone id, {g} an API id, {i} a resource id with the resource's prefix
_ARN_BY_RESOURCE = {
    "aws_iam_role": "arn:aws:iam::{a}:role/{n}",
    "aws_iam_policy": "arn:aws:iam::{a}:policy/{n}",
    "aws_iam_instance_profile": "arn:aws:iam::{a}:instance-profile/{n}",
    "aws_iam_user": "arn:aws:iam::{a}:user/{n}",
    "aws_iam_openid_connect_provider": "arn:aws:iam::{a}:oidc-provider/{n}",
    "aws_s3_bucket": "arn:aws:s3:::{b}",
    "aws_sqs_queue": "arn:aws:sqs:{r}:{a}:{n}",
    "aws_sns_topic": "arn:aws:sns:{r}:{a}:{n}",
    "aws_dynamodb_table": "arn:aws:dynamodb:{r}:{a}:table/{n}",
    "aws_lambda_function": "arn:aws:lambda:{r}:{a}:function:{n}",
    "aws_lambda_alias": "arn:aws:lambda:{r}:{a}:function:{n}:mock",
    "aws_lambda_layer_version": "arn:aws:lambda:{r}:{a}:layer:{n}:1",
    "aws_kms_key": "arn:aws:kms:{r}:{a}:key/{u}",
    "aws_kms_alias": "arn:aws:kms:{r}:{a}:alias/{n}",
    "aws_secretsmanager_secret": "arn:aws:secretsmanager:{r}:{a}:secret:{n}-MoCkEd",
    "aws_cloudwatch_log_group": "arn:aws:logs:{r}:{a}:log-group:{n}",
    "aws_cloudwatch_metric_alarm": "arn:aws:cloudwatch:{r}:{a}:alarm:{n}",
    "aws_cloudwatch_dashboard": "arn:aws:cloudwatch::{a}:dashboard/{n}",
    "aws_cloudwatch_event_bus": "arn:aws:events:{r}:{a}:event-bus/{n}",
    "aws_cloudwatch_event_rule": "arn:aws:events:{r}:{a}:rule/{n}",
    "aws_cloudwatch_event_archive": "arn:aws:events:{r}:{a}:archive/{n}",
    "aws_acm_certificate": "arn:aws:acm:{r}:{a}:certificate/{u}",
    "aws_acm_certificate_validation": "arn:aws:acm:{r}:{a}:certificate/{u}",
    "aws_lb": "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/{s}/{h}",
    "aws_lb_target_group": "arn:aws:elasticloadbalancing:{r}:{a}:targetgroup/{s}/{h}",
    "aws_lb_listener": "arn:aws:elasticloadbalancing:{r}:{a}:listener/app/{s}/{h}/{h}",
    "aws_ecs_cluster": "arn:aws:ecs:{r}:{a}:cluster/{n}",
    "aws_ecs_service": "arn:aws:ecs:{r}:{a}:service/{n}/{n}",
    "aws_ecs_task_definition": "arn:aws:ecs:{r}:{a}:task-definition/{n}:1",
    "aws_db_instance": "arn:aws:rds:{r}:{a}:db:{s}",
    "aws_rds_cluster": "arn:aws:rds:{r}:{a}:cluster:{s}",
    "aws_elasticache_replication_group": "arn:aws:elasticache:{r}:{a}:replicationgroup:{s}",
    "aws_route53_zone": "arn:aws:route53:::hostedzone/{z}",
    "aws_api_gateway_rest_api": "arn:aws:apigateway:{r}::/restapis/{g}",
    "aws_api_gateway_stage": "arn:aws:apigateway:{r}::/restapis/{g}/stages/{n}",
    "aws_security_group": "arn:aws:ec2:{r}:{a}:security-group/{i}",
    "aws_instance": "arn:aws:ec2:{r}:{a}:instance/{i}",
    "aws_vpc": "arn:aws:ec2:{r}:{a}:vpc/{i}",
    "aws_subnet": "arn:aws:ec2:{r}:{a}:subnet/{i}",
    "aws_autoscaling_group": "arn:aws:autoscaling:{r}:{a}:autoScalingGroup:{u}:autoScalingGroupName/{n}",
    "aws_autoscaling_policy": "arn:aws:autoscaling:{r}:{a}:scalingPolicy:{u}:autoScalingGroupName/{n}:policyName/{n}",
    "aws_ssm_parameter": "arn:aws:ssm:{r}:{a}:parameter/{n}",
}
_ARN_ALIASES = {"aws_alb": "aws_lb", "aws_alb_target_group": "aws_lb_target_group", "aws_alb_listener": "aws_lb_listener",
                "aws_dynamodb_table_replica": "aws_dynamodb_table", "aws_lambda_permission": "aws_lambda_function"}
# words of an output name -> the resource an ARN of that name most likely belongs to (when the
# expression names none, e.g. a pass-through variable)
_ARN_BY_NAME_WORD = (  # most specific first: "master_user_secret_arn" is a secret, not a user
    (r"instance_profile", "aws_iam_instance_profile"), (r"secret", "aws_secretsmanager_secret"),
    (r"log_group", "aws_cloudwatch_log_group"), (r"target_group", "aws_lb_target_group"),
    (r"security_group|(^|_)sg(_|$)", "aws_security_group"), (r"task_definition", "aws_ecs_task_definition"),
    (r"role", "aws_iam_role"), (r"policy", "aws_iam_policy"), (r"bucket", "aws_s3_bucket"),
    (r"queue|dlq", "aws_sqs_queue"), (r"topic|sns", "aws_sns_topic"), (r"table|stream", "aws_dynamodb_table"),
    (r"layer", "aws_lambda_layer_version"), (r"alias", "aws_lambda_alias"),
    (r"function|lambda", "aws_lambda_function"), (r"kms|(^|_)key(_|$)", "aws_kms_key"),
    (r"alarm", "aws_cloudwatch_metric_alarm"), (r"dashboard", "aws_cloudwatch_dashboard"),
    (r"(^|_)(event_)?bus(_|$)", "aws_cloudwatch_event_bus"), (r"(^|_)rule(_|$)", "aws_cloudwatch_event_rule"),
    (r"certificate|(^|_)cert(_|$)", "aws_acm_certificate"), (r"listener", "aws_lb_listener"),
    (r"load_balancer|(^|_)alb(_|$)|(^|_)lb(_|$)", "aws_lb"), (r"service", "aws_ecs_service"),
    (r"cluster", "aws_ecs_cluster"), (r"(^|_)db(_|$)|database|rds", "aws_db_instance"),
    (r"zone", "aws_route53_zone"), (r"parameter", "aws_ssm_parameter"), (r"(^|_)user(_|$)", "aws_iam_user"),
)

_ARN_NAME = re.compile(r"(^|_)arns?$")
_CIDR_NAME = re.compile(r"cidrs?$|cidr_blocks?$")
_IP_NAME = re.compile(r"(^|_)ips?$|ip_address(es)?$")
_URL_NAME = re.compile(r"(^|_)urls?$")
_HOST_NAME = re.compile(r"(^|_)(endpoints?|endpoint_address(es)?|address(es)?|hosts?|hostnames?|dns_names?|"
                        r"fqdns?|domain_names?)$")
_ZONE_ID_NAME = re.compile(r"(^|_)(hosted_)?zone_id$")
_ACCOUNT_NAME = re.compile(r"(^|_)account_id$")
_REGION_NAME = re.compile(r"(^|_)region$")
_ARN_DESCRIPTION = re.compile(r"^(the )?ARNs?\b", re.I)
_URL_DESCRIPTION = re.compile(r"^(the )?URLs?\b", re.I)
_JSON_NAME = re.compile(r"(^|_)json$")
_BUCKET_NAME = re.compile(r"(^|_)bucket(_name|_id)?$")


def _digest(*parts):
    return hashlib.sha1("/".join(parts).encode("utf-8")).hexdigest()


def _slug(text, limit):
    """Lowercase letters, digits and single hyphens: valid as an S3 bucket, RDS or ALB name."""
    slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")
    return slug[:limit].rstrip("-") or "mock"


class _Mock:
    """The parts every shape is built from, for one output of one unit."""

    def __init__(self, unit, output, region):
        self.unit, self.output = unit, output
        self.region = region or MOCK_REGION
        self.name = "mock-%s-%s" % (unit, output)
        self.hex = _digest(unit, output)

    def resource_id(self, prefix):
        return "%s-00000000%s" % (prefix, self.hex[:9])

    def uuid(self):
        return "00000000-0000-4000-8000-%s" % self.hex[:12]

    def arn(self, resource_type):
        resource_type = _ARN_ALIASES.get(resource_type, resource_type)
        template = _ARN_BY_RESOURCE.get(resource_type)
        if template is None:
            service = resource_type.split("_")[1] if resource_type and resource_type.count("_") >= 1 else "mock"
            template = "arn:aws:%s:{r}:{a}:{n}" % service
        arn = template.format(
            r=self.region, a=MOCK_ACCOUNT, n=self.name, u=self.uuid(), h=self.hex[:16], b=_slug(self.name, 63),
            s=_slug(self.name, 32), z="Z00000000%s" % self.hex[:12].upper(), g=self.hex[:10],
            i=self.resource_id(_ID_PREFIX_BY_RESOURCE.get(resource_type, "r")))
        return arn

    def host(self):
        return "%s.%s.mock.invalid" % (_slug(self.output, 63), _slug(self.unit, 63))

    def url(self):
        return "https://mock.invalid/%s/%s" % (_slug(self.unit, 63), _slug(self.output, 63))


def _arn_resource(name, resource_type, attribute, description):
    """The resource type whose ARN form to use: the expression's, when it returns that resource's
    own ARN; otherwise what the output's name says (``master_user_secret_arn`` of an RDS
    instance is a Secrets Manager ARN), then the expression's resource, then the description."""
    if resource_type and (attribute == "arn" or (attribute == "id" and resource_type in _ID_IS_ARN)):
        return resource_type
    for pattern, guess in _ARN_BY_NAME_WORD:
        if re.search(pattern, name):
            return guess
    if resource_type:
        return resource_type
    words = re.sub(r"[^a-z0-9]+", "_", description.lower())
    for pattern, guess in _ARN_BY_NAME_WORD:
        if re.search(pattern, words):
            return guess
    return "aws_mock"


def _special_arn(mock, output, resource_type):
    """ARNs whose form depends on which attribute the output is, not only on the resource."""
    if "invoke_arn" in output:
        function = mock.arn("aws_lambda_function") + (":mock" if "alias" in output else "")
        return "arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations" % (mock.region, function)
    if "execution_arn" in output:
        return "arn:aws:execute-api:%s:%s:%s" % (mock.region, MOCK_ACCOUNT, mock.hex[:10])
    if "stream_arn" in output and resource_type in (None, "aws_dynamodb_table"):
        return mock.arn("aws_dynamodb_table") + "/stream/2000-01-01T00:00:00.000"
    return None


def list_length(output):
    """How many elements a shaped list mock of ``output`` holds: subnets come in two (ALB, RDS and
    ElastiCache subnet groups need two availability zones), everything else in one."""
    return 2 if re.search(r"subnet_ids$", output.lower()) else 1


def shape(output, unit, resource_type=None, attribute=None, description=None, region=None, index=0):
    """A placeholder shaped for ``output`` of ``unit``, or None when nothing tells the shape.

    ``resource_type`` and ``attribute`` name what the output's expression returns
    (``aws_sqs_queue``, ``arn``) when it returns a resource attribute; ``description`` is the
    output's description. For an element of a list output, ``index`` keeps the elements apart.
    """
    mock = _Mock(unit, output if not index else "%s-%d" % (output, index), region)
    return _single(mock, output.lower(), resource_type, attribute, description or "")


def _single(mock, name, resource_type, attribute, description):
    if _ARN_NAME.search(name) or attribute == "arn" or \
            (attribute == "id" and resource_type in _ID_IS_ARN) or \
            (attribute is None and _ARN_DESCRIPTION.search(description)):
        return _special_arn(mock, name, resource_type) or mock.arn(_arn_resource(name, resource_type, attribute, description))
    for pattern, prefix in _ID_PREFIX_BY_NAME:
        if re.search(pattern, name):
            return mock.resource_id(prefix)
    if attribute == "id" and resource_type in _ID_PREFIX_BY_RESOURCE:
        return mock.resource_id(_ID_PREFIX_BY_RESOURCE[resource_type])
    if attribute == "security_group_rule_id":
        return mock.resource_id("sgr")
    if name.endswith("arn_suffix") or attribute == "arn_suffix":
        kind = "targetgroup" if "target_group" in name or resource_type == "aws_lb_target_group" else "app"
        return "%s/%s/%s" % (kind, _slug(mock.name, 32), mock.hex[:16])
    if _CIDR_NAME.search(name) or attribute in ("cidr_block", "cidr"):
        return MOCK_CIDR
    if _IP_NAME.search(name) or attribute in ("public_ip", "private_ip"):
        return "192.0.2.%d" % (1 + int(mock.hex[:2], 16) % 254)
    if _ZONE_ID_NAME.search(name):
        return "Z00000000%s" % mock.hex[:12].upper()
    if _ACCOUNT_NAME.search(name):
        return MOCK_ACCOUNT
    if _REGION_NAME.search(name):
        return mock.region
    if _URL_NAME.search(name) or attribute in ("url", "invoke_url") or \
            (resource_type == "aws_sqs_queue" and attribute == "id") or (attribute is None and _URL_DESCRIPTION.search(description)):
        return mock.url()
    if _HOST_NAME.search(name) or attribute in ("dns_name", "fqdn", "address", "endpoint") or \
            (resource_type == "aws_route53_zone" and attribute == "name"):
        return mock.host()
    if _JSON_NAME.search(name) or attribute == "json":
        return MOCK_POLICY_JSON if "polic" in name or resource_type == "aws_iam_policy_document" else "{}"
    if _BUCKET_NAME.search(name) or (resource_type == "aws_s3_bucket" and attribute in ("id", "bucket")):
        return _slug(mock.name, 63)
    return None
