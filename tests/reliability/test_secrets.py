"""Secrets at rest and the state bucket's own defences (the stack-wide leak scan is the last test of
test_stack_faults.py, over everything those faulty runs printed and left behind)."""
from __future__ import annotations

import json
import os
import stat

import pytest

import reliability_kit as kit
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AWS_CONNECTION_SPEC
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import (
    PUBLIC_ACCESS_FLAGS, STATE_BACKEND_SPEC, TLS_STATEMENT_SID, ensure_state_backend)

ALL_USERS = ("http://acs.amazonaws.com/groups/global/AllUsers",
             "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


@pytest.mark.scenario("S3")
def test_state_bucket_denies_plain_http_and_anonymous_access(aws, reliability_env, record_property):
    bucket = "gw-rel-policy-%s" % os.urandom(4).hex()
    validated = ArgumentSpecValidator(dict(AWS_CONNECTION_SPEC, **STATE_BACKEND_SPEC)).validate(
        {"bucket": bucket, "region": "us-east-1", "endpoint_url": aws.endpoint})  # every default: TLS enforced
    assert not validated.error_messages
    params = validated.validated_parameters
    ensure_state_backend(params)
    s3 = aws.s3
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    tls = [st for st in policy["Statement"] if st.get("Sid") == TLS_STATEMENT_SID]
    assert len(tls) == 1 and tls[0]["Effect"] == "Deny" and tls[0]["Principal"] == "*" and tls[0]["Action"] == "s3:*"
    assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sorted(tls[0]["Resource"]) == ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]
    # nothing grants anyone without credentials (or every AWS account) anything
    allows = [st for st in policy["Statement"] if st.get("Effect") == "Allow"]
    assert not [st for st in allows if st.get("Principal") in ("*", {"AWS": "*"})]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block[flag] is True for flag in PUBLIC_ACCESS_FLAGS)
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in ALL_USERS]
    status = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]
    assert status["IsPublic"] is False
    record_property("observed", "policy: Deny s3:* to * when aws:SecureTransport=false on bucket and objects; "
                    "no Allow to *; all four public access blocks on; ACL owner-only; PolicyStatus.IsPublic false")


@pytest.mark.scenario("S1")
def test_saved_plan_and_its_summary_keep_the_secret_private(unit, aws, tmp_path, record_property):
    backend = dict(aws.new_store("s3-lockfile"), key="rel/us-east-1/planned/terraform.tfstate")
    plan_file = tmp_path / "project" / "plans" / "planned.tfplan"
    result = unit(name="planned", backend=backend, inputs={"name": "p"}, state="planned", plan_file=str(plan_file))
    summary = plan_file.parent / "planned.tfplan.json"
    assert result["plan_file"] == str(plan_file)
    assert kit.SECRET not in summary.read_text() and kit.TOKEN not in json.dumps(result, default=str)
    holding = kit.files_holding(tmp_path, [kit.SECRET])
    # terraform's own plan files (zips holding the input values): the saved copy and the work dir's last plan
    assert sorted(p.name for p in holding) == ["current.tfplan", "planned.tfplan"], holding
    for path in holding + [summary]:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    record_property("observed", "only terraform's plan files (saved copy, work dir's last plan) hold the input "
                    "values, both 0600; the JSON summary and the module result hold no secret")
