"""Mocked outputs shaped like the AWS values they stand for (mock_shapes, through hcl.mock_outputs)."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils import hcl, mock_shapes

REPO = Path(__file__).resolve().parents[4]
HEX_ID = r"00000000[0-9a-f]{9}$"


@pytest.mark.parametrize("output, resource, attribute, pattern", [
    # the output's name alone tells
    ("vpc_id", None, None, r"^vpc-" + HEX_ID),
    ("private_subnet_ids", None, None, r"^subnet-" + HEX_ID),
    ("security_group_id", None, None, r"^sg-" + HEX_ID),
    ("nat_gateway_ids", None, None, r"^nat-" + HEX_ID),
    ("queue_arn", None, None, r"^arn:aws:sqs:us-east-1:000000000000:mock-u-queue_arn$"),
    ("role_arn", None, None, r"^arn:aws:iam::000000000000:role/mock-u-role_arn$"),
    ("bucket_arn", None, None, r"^arn:aws:s3:::mock-u-bucket-arn$"),
    ("table_arn", None, None, r"^arn:aws:dynamodb:us-east-1:000000000000:table/mock-u-table_arn$"),
    ("stream_arn", None, None, r"^arn:aws:dynamodb:us-east-1:000000000000:table/mock-u-stream_arn/stream/"),
    ("alias_invoke_arn", None, None,
     r"^arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:"
     r"function:mock-u-alias_invoke_arn:mock/invocations$"),
    ("master_user_secret_arn", "aws_db_instance", "master_user_secret",
     r"^arn:aws:secretsmanager:us-east-1:000000000000:secret:mock-u-master_user_secret_arn-\w{6}$"),
    ("some_arn", None, None, r"^arn:aws:mock:us-east-1:000000000000:mock-u-some_arn$"),
    ("vpc_cidr_block", None, None, r"^10\.0\.0\.0/16$"),
    ("subnet_cidrs", None, None, r"^10\.0\.0\.0/16$"),
    ("nat_public_ips", None, None, r"^192\.0\.2\.\d+$"),
    ("invoke_url", None, None, r"^https://mock\.invalid/u/invoke-url$"),
    ("queue_url", None, None, r"^https://mock\.invalid/u/queue-url$"),
    ("primary_endpoint_address", None, None, r"^primary-endpoint-address\.u\.mock\.invalid$"),
    ("endpoint", None, None, r"^endpoint\.u\.mock\.invalid$"),
    ("zone_id", None, None, r"^Z00000000[0-9A-F]{12}$"),
    ("account_id", None, None, r"^000000000000$"),
    ("bucket_id", None, None, r"^mock-u-bucket-id$"),
    ("arn_suffix", "aws_lb", "arn_suffix", r"^app/mock-u-arn-suffix/[0-9a-f]{16}$"),
    ("target_group_arn_suffix", None, None, r"^targetgroup/mock-u-target-group-arn-suffix/[0-9a-f]{16}$"),
    ("policy_json", None, None, r'^\{"Version":"2012-10-17","Statement":\[\{"Sid":"MockPolicy"'),
    # a generic name: the resource attribute the expression returns tells
    ("arn", "aws_lb", "arn", r"^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/mock-u-arn/[0-9a-f]{16}$"),
    ("arn", "aws_ecs_cluster", "arn", r"^arn:aws:ecs:us-east-1:000000000000:cluster/mock-u-arn$"),
    ("id", "aws_ecs_cluster", "id", r"^arn:aws:ecs:"),  # an ECS cluster's id is its ARN
    ("id", "aws_vpc", "id", r"^vpc-" + HEX_ID),
    ("secret_id", "aws_secretsmanager_secret", "id", r"^arn:aws:secretsmanager:"),
    ("dlq", "aws_sqs_queue", "id", r"^https://mock\.invalid/"),  # an SQS queue's id is its URL
    ("arn", "aws_kms_key", "arn", r"^arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-[0-9a-f]{12}$"),
    ("name", "aws_route53_zone", "name", r"^name\.u\.mock\.invalid$"),
    ("arn", "aws_foo_thing", "arn", r"^arn:aws:foo:us-east-1:000000000000:mock-u-arn$"),
])
def test_shape_from_name_and_source(output, resource, attribute, pattern):
    assert re.search(pattern, mock_shapes.shape(output, "u", resource, attribute)), \
        mock_shapes.shape(output, "u", resource, attribute)


def test_description_tells_when_name_and_expression_do_not():
    assert mock_shapes.shape("target", "u", description="ARN of the queue to notify").startswith("arn:aws:sqs:")
    assert mock_shapes.shape("api", "u", description="URL of the stage").startswith("https://mock.invalid/")
    # an incidental mention is no shape
    assert mock_shapes.shape("role_name", "u", description="Name of the role (role_arn has the ARN)") is None


def test_nothing_tells_no_shape():
    for output in ("table_name", "version", "function_name", "stage_name", "ds_record"):
        assert mock_shapes.shape(output, "u") is None, output


def test_region_goes_into_regional_arns_only():
    assert mock_shapes.shape("queue_arn", "u", region="eu-west-1").startswith("arn:aws:sqs:eu-west-1:000000000000:")
    assert mock_shapes.shape("role_arn", "u", region="eu-west-1").startswith("arn:aws:iam::000000000000:")


def test_mocks_are_stable_distinct_and_valid_as_names():
    assert mock_shapes.shape("vpc_id", "network") == mock_shapes.shape("vpc_id", "network")
    assert mock_shapes.shape("vpc_id", "network") != mock_shapes.shape("vpc_id", "dr_network")
    assert mock_shapes.shape("subnet_ids", "n", index=1) != mock_shapes.shape("subnet_ids", "n")
    # an S3 bucket name from a unit and output with underscores and capitals: still a valid bucket name
    bucket = mock_shapes.shape("bucket_arn", "Data_Lake", "aws_s3_bucket", "arn")[len("arn:aws:s3:::"):]
    assert re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", bucket), bucket


def test_list_lengths():
    assert mock_shapes.list_length("private_subnet_ids") == 2
    assert mock_shapes.list_length("security_group_ids") == 1


def test_ids_pass_the_repo_modules_own_validations():
    """vpc_id and subnet_ids are validated as hex ids by alb, rds, ec2-app...: the mocks must pass."""
    validations = "".join(p.read_text() for p in (REPO / "terraform-modules").glob("*/variables.tf"))
    assert 'regex("^vpc-[0-9a-f]+$"' in validations and 'regex("^subnet-[0-9a-f]+$"' in validations
    network = hcl.mock_outputs(hcl.read_module(str(REPO / "terraform-modules" / "network")), "network")
    assert re.match(r"^vpc-[0-9a-f]+$", network["vpc_id"])
    assert all(re.match(r"^subnet-[0-9a-f]+$", s) for s in network["private_subnet_ids"] + network["public_subnet_ids"])
    assert len(network["private_subnet_ids"]) >= 2  # alb and rds validate length(var.subnet_ids) >= 2
    assert network["vpc_cidr_block"] == "10.0.0.0/16"


def _module(tmp_path, text):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text))
    return hcl.read_module(str(tmp_path))


def test_mock_outputs_shape_only_what_the_expression_leaves_open(tmp_path):
    info = _module(tmp_path, '''
        resource "aws_sqs_queue" "this" {}
        resource "aws_subnet" "private" {}
        locals {
          queue = aws_sqs_queue.this
        }
        output "queue_arn" { value = local.queue.arn }
        output "queue_url" { value = aws_sqs_queue.this.id }
        output "subnet_ids" { value = aws_subnet.private[*].id }
        output "fixed_arn" { value = "arn:aws:sns:us-east-1:111111111111:given" }
        output "port" { value = 5432 }
        output "queue_name" { value = aws_sqs_queue.this.name }
        output "target" {
          description = "ARN of the queue"
          value       = aws_sqs_queue.this.arn
        }
        ''')
    mocks = hcl.mock_outputs(info, "jobs", region="eu-west-1")
    assert mocks["queue_arn"] == "arn:aws:sqs:eu-west-1:000000000000:mock-jobs-queue_arn"  # local followed
    assert mocks["queue_url"] == "https://mock.invalid/jobs/queue-url"
    # two subnets (ALB, RDS and ElastiCache subnet groups want two zones), distinct
    assert len(set(mocks["subnet_ids"])) == 2 and all(re.match(r"^subnet-" + HEX_ID, s) for s in mocks["subnet_ids"])
    assert mocks["fixed_arn"] == "arn:aws:sns:us-east-1:111111111111:given"  # a literal stays as written
    assert mocks["port"] == 5432
    assert mocks["queue_name"] == "mock-jobs-queue_name"  # nothing to shape: the plain label
    assert mocks["target"].startswith("arn:aws:sqs:eu-west-1:")


def test_mock_outputs_follow_a_local_child_module(tmp_path):
    child = tmp_path / "modules" / "vpc"
    child.mkdir(parents=True)
    (child / "main.tf").write_text('resource "aws_vpc" "this" {}\noutput "id" { value = aws_vpc.this.id }\n')
    info = _module(tmp_path, '''
        module "vpc" { source = "./modules/vpc" }
        output "network" { value = module.vpc.id }
        ''')
    assert re.match(r"^vpc-" + HEX_ID, hcl.mock_outputs(info, "net")["network"])


@pytest.mark.parametrize("module_dir", sorted(p.name for p in (REPO / "terraform-modules").iterdir()
                                              if (p / "outputs.tf").is_file()))
def test_repo_module_mocks_are_recognisable(module_dir):
    """Every string mock of every repo module still reads as a mock."""
    mocks = hcl.mock_outputs(hcl.read_module(str(REPO / "terraform-modules" / module_dir)), "unit")

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
    for name, value in mocks.items():
        for text in strings(value):
            assert re.search(r"mock|000000000000|-00000000[0-9a-f]|Z00000000|^10\.0\.0\.0/16$|^192\.0\.2\.", text, re.I), \
                "%s.%s = %r does not read as a mock" % (module_dir, name, text)
