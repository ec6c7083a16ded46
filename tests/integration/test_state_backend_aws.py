"""state_backend against a real S3/DynamoDB API (moto server over HTTP), checked through that API.

Most cases call module_utils directly (fast); a few drive the module, the backend role and
playbooks/bootstrap.yml through ansible-playbook, and one runs real terraform init/apply
against the returned backend_config. Faults AWS can produce but moto cannot (403 on HeadBucket,
NotImplemented, a name taken by another account) come from a small HTTP proxy in front of moto.
"""
from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AWS_CONNECTION_SPEC
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import (
    LIFECYCLE_RULE_ID,
    PUBLIC_ACCESS_FLAGS,
    STATE_BACKEND_SPEC,
    TLS_STATEMENT_SID,
    ensure_state_backend,
)

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SPEC = dict(AWS_CONNECTION_SPEC, **STATE_BACKEND_SPEC)


def run(check_mode=False, diff=False, **given):
    """Validate like AnsibleModule does, then run the module's logic."""
    result = ArgumentSpecValidator(SPEC).validate(given)
    assert not result.error_messages, result.error_messages
    return ensure_state_backend(result.validated_parameters, check_mode=check_mode, diff=diff)


def bucket_exists(s3, bucket):
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except s3.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] in ("404", "NoSuchBucket")
        return False


def table_exists(ddb, table):
    try:
        ddb.describe_table(TableName=table)
        return True
    except ddb.exceptions.ResourceNotFoundException:
        return False


def policy_statements(s3, bucket):
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]


def assert_secure_bucket(s3, bucket):
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block[flag] is True for flag in PUBLIC_ACCESS_FLAGS)
    ours = [s for s in policy_statements(s3, bucket) if s.get("Sid") == TLS_STATEMENT_SID]
    assert len(ours) == 1
    assert ours[0]["Effect"] == "Deny" and ours[0]["Principal"] == "*" and ours[0]["Action"] == "s3:*"
    assert ours[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sorted(ours[0]["Resource"]) == ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]


def assert_lock_table(ddb, table, pitr=True):
    desc = ddb.describe_table(TableName=table)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert desc["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["SSEDescription"]["Status"] == "ENABLED"
    backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert (backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED") is pitr
    return desc


# --------------------------------------------------------------------------- fault proxy

class FaultProxy:
    """Forwards every request to moto unless ``rule(method, path, query, target)`` returns an error.

    ``target`` is the X-Amz-Target of JSON APIs (DynamoDB), "" for S3. The error is answered in
    the API's own format. Records (method, path, query) of every request, so tests can prove what
    was (not) called.
    """

    def __init__(self, upstream, rule=None):
        self.upstream = urllib.parse.urlparse(upstream)
        self.rule = rule or (lambda method, path, query, target: None)
        self.requests = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                parsed = urllib.parse.urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append((self.command, parsed.path, parsed.query))
                target = self.headers.get("X-Amz-Target") or ""
                fault = proxy.rule(self.command, parsed.path, parsed.query, target)
                if fault:
                    status, code, message = fault
                    if target:
                        kind = "application/x-amz-json-1.0"
                        payload = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#" + code,
                                              "message": message}).encode()
                    else:
                        kind = "application/xml"
                        payload = b"" if self.command == "HEAD" else (
                            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message>"
                            "</Error>" % (code, message)).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in ("connection", "expect"))
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- settings and idempotence

def test_new_backend_is_secure_by_default_and_idempotent(aws_env, boto_clients, unique_name):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    params = dict(bucket=bucket, lock_table=table, region="us-east-1", tags={"team": "platform", "cost": 7},
                  noncurrent_version_expiration_days=90)

    first = run(diff=True, **params)
    assert first["changed"] and first["bucket_created"] and first["table_created"]
    assert first["changes"][0] == "create bucket %s in us-east-1" % bucket
    assert "bucket %s: set versioning to Enabled" % bucket in first["changes"]
    assert first["backend_config"] == {
        "bucket": bucket, "region": "us-east-1", "encrypt": True, "dynamodb_table": table,
        "endpoints": {"s3": aws_env["AWS_ENDPOINT_URL"], "dynamodb": aws_env["AWS_ENDPOINT_URL"],
                      "sts": aws_env["AWS_ENDPOINT_URL"]},
        "use_path_style": True, "skip_credentials_validation": True, "skip_requesting_account_id": True,
        "skip_metadata_api_check": True, "skip_region_validation": True}
    assert first["diff"]["before"] == {"bucket": {"name": bucket, "region": "us-east-1", "exists": False},
                                       "lock_table": {"name": table, "region": "us-east-1", "exists": False}}
    assert first["diff"]["after"]["bucket"]["versioning"] == "Enabled"
    assert first["diff"]["after"]["lock_table"]["point_in_time_recovery"] is True
    assert any("plain-HTTP endpoint" in w for w in first["warnings"])

    assert_secure_bucket(s3, bucket)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [(r["ID"], r["NoncurrentVersionExpiration"]["NoncurrentDays"]) for r in rules] == [(LIFECYCLE_RULE_ID, 90)]
    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]} == {
        "team": "platform", "cost": "7"}
    desc = assert_lock_table(ddb, table)
    assert {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"]} == {
        "team": "platform", "cost": "7"}

    second = run(diff=True, **params)
    assert (second["changed"], second["changes"], second["bucket_created"], second["table_created"]) == (
        False, [], False, False)
    assert second["diff"]["before"] == second["diff"]["after"] == first["diff"]["after"]
    assert second["backend_config"] == first["backend_config"]


def test_check_mode_reports_and_touches_nothing(aws_env, boto_clients, unique_name):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    result = run(check_mode=True, diff=True, bucket=bucket, lock_table=table, region="us-east-1")
    assert result["changed"] and not result["bucket_created"] and not result["table_created"]
    assert result["changes"][0] == "create bucket %s in us-east-1" % bucket
    assert any(c.startswith("create lock table %s" % table) for c in result["changes"])
    assert result["diff"]["after"]["bucket"]["exists"] is True
    assert not bucket_exists(s3, bucket) and not table_exists(ddb, table)

    # On an existing, drifted backend check mode reports the drift and leaves it.
    run(bucket=bucket, lock_table=table, region="us-east-1")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    result = run(check_mode=True, bucket=bucket, lock_table=table, region="us-east-1")
    assert result["changes"] == ["bucket %s: versioning Suspended -> Enabled" % bucket]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_drift_is_fixed_and_reported(aws_env, boto_clients, unique_name):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    params = dict(bucket=bucket, lock_table=table, region="us-east-1", tags={"team": "platform"})
    run(**params)

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_bucket_encryption(Bucket=bucket)
    ddb.update_continuous_backups(TableName=table,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "someone-else"}])

    fixed = run(**params)
    assert fixed["changed"] and not fixed["bucket_created"]
    assert sorted(fixed["changes"]) == sorted([
        "bucket %s: public_access_block off -> all four on" % bucket,
        "bucket %s: encryption none -> AES256" % bucket,
        "bucket %s: versioning Suspended -> Enabled" % bucket,
        "bucket %s: tls_policy absent -> present" % bucket,
        "lock table %s: point_in_time_recovery off -> on" % table,
        'lock table %s: tags {"team": "someone-else"} -> {"team": "platform"}' % table,
    ])
    assert_secure_bucket(s3, bucket)
    assert_lock_table(ddb, table)
    assert run(**params)["changed"] is False


def test_false_safety_options_leave_settings_as_found(aws_env, boto_clients, unique_name):
    s3 = boto_clients("s3")
    bucket = unique_name("state")
    result = run(bucket=bucket, region="us-east-1", versioning=False, block_public_access=False, enforce_tls=False)
    assert result["changes"] == ["create bucket %s in us-east-1" % bucket,
                                 "bucket %s: set encryption to AES256" % bucket]
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=bucket)
    # Turning them on later converges; turning them off again never weakens the bucket.
    run(bucket=bucket, region="us-east-1")
    assert run(bucket=bucket, region="us-east-1", versioning=False, block_public_access=False,
               enforce_tls=False)["changed"] is False
    assert_secure_bucket(s3, bucket)


def test_tls_statement_merges_into_an_existing_user_policy(aws_env, boto_clients, unique_name):
    s3 = boto_clients("s3")
    bucket = unique_name("state")
    s3.create_bucket(Bucket=bucket)
    user_statements = [
        {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::%s" % bucket},
    ]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Id": "user-policy",
                                                           "Statement": user_statements}))

    result = run(bucket=bucket, region="us-east-1")
    assert "bucket %s: tls_policy absent -> present" % bucket in result["changes"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Id"] == "user-policy"
    assert policy["Statement"][:2] == user_statements
    assert [s.get("Sid") for s in policy["Statement"]].count(TLS_STATEMENT_SID) == 1
    assert_secure_bucket(s3, bucket)

    for _ in range(2):  # re-runs: nothing to do, no duplicate
        assert run(bucket=bucket, region="us-east-1")["changed"] is False
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy

    # A hand-edited copy of our statement (weakened) plus a duplicate: put back to one exact copy.
    broken = dict(policy["Statement"][2], Condition={"Bool": {"aws:SecureTransport": "true"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(dict(policy, Statement=user_statements + [broken, broken])))
    result = run(bucket=bucket, region="us-east-1")
    assert result["changes"] == ["bucket %s: tls_policy outdated -> present" % bucket]
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy


def test_lifecycle_rule_and_tags_merge_with_existing_ones(aws_env, boto_clients, unique_name):
    s3 = boto_clients("s3")
    bucket = unique_name("state")
    s3.create_bucket(Bucket=bucket)
    user_rule = {"ID": "user-rule", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 3}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [user_rule]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "finance"}]})

    run(bucket=bucket, region="us-east-1", noncurrent_version_expiration_days=30, tags={"team": "platform"})
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert rules["user-rule"]["Expiration"] == {"Days": 3}
    assert rules[LIFECYCLE_RULE_ID]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]} == {
        "owner": "finance", "team": "platform"}

    changed = run(bucket=bucket, region="us-east-1", noncurrent_version_expiration_days=60, tags={"team": "platform"})
    assert changed["changes"] == ["bucket %s: noncurrent_version_expiration_days 30 -> 60" % bucket]
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 2


def test_kms_encryption_and_s3_native_locking(aws_env, boto_clients, unique_name):
    s3, ddb, kms = boto_clients("s3"), boto_clients("dynamodb"), boto_clients("kms")
    key_id = kms.create_key(Description="tfstate")["KeyMetadata"]["KeyId"]
    bucket = unique_name("state")
    params = dict(bucket=bucket, region="us-east-1", encryption="aws:kms", kms_key_id=key_id)
    result = run(**params)
    assert not result["table_created"]
    assert result["backend_config"]["use_lockfile"] is True
    assert result["backend_config"]["kms_key_id"] == key_id
    assert "dynamodb_table" not in result["backend_config"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}
    assert rule["BucketKeyEnabled"] is True
    assert run(**params)["changed"] is False

    # From KMS back to AES256 is a reported change.
    assert run(bucket=bucket, region="us-east-1")["changes"] == [
        "bucket %s: encryption aws:kms (key %s, bucket key on) -> AES256" % (bucket, key_id)]


def test_access_logging(aws_env, boto_clients, unique_name):
    s3 = boto_clients("s3")
    bucket, logs = unique_name("state"), unique_name("logs")
    s3.create_bucket(Bucket=logs)
    s3.put_bucket_policy(Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
        "Resource": "arn:aws:s3:::%s/*" % logs}]}))
    run(bucket=bucket, region="us-east-1", access_log_bucket=logs)
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": logs,
                                                                     "TargetPrefix": bucket + "/"}
    assert run(bucket=bucket, region="us-east-1", access_log_bucket=logs)["changed"] is False
    moved = run(bucket=bucket, region="us-east-1", access_log_bucket=logs, access_log_prefix="tfstate/")
    assert moved["changes"] == ['bucket %s: access_logging {"bucket": "%s", "prefix": "%s/"} -> '
                                '{"bucket": "%s", "prefix": "tfstate/"}' % (bucket, logs, bucket, logs)]


# --------------------------------------------------------------------------- absent

def test_absent_refuses_a_bucket_with_state_unless_forced(aws_env, boto_clients, unique_name):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2"):  # two versions of one state file
        s3.put_object(Bucket=bucket, Key="prod/net/terraform.tfstate", Body=body)
    run(bucket=bucket, lock_table=table, region="us-east-1")  # TLS policy etc. on top

    with pytest.raises(InputError, match=r"holds 2 object version\(s\).*set force: true"):
        run(bucket=bucket, lock_table=table, region="us-east-1", state="absent")
    assert bucket_exists(s3, bucket) and table_exists(ddb, table)

    checked = run(check_mode=True, diff=True, bucket=bucket, lock_table=table, region="us-east-1", state="absent",
                  force=True)
    assert checked["changes"] == ["delete bucket %s with its 2 object version(s)" % bucket,
                                  "delete lock table %s" % table]
    assert checked["diff"]["before"]["bucket"] == {"name": bucket, "exists": True, "object_versions": 2}
    assert bucket_exists(s3, bucket) and table_exists(ddb, table)

    gone = run(bucket=bucket, lock_table=table, region="us-east-1", state="absent", force=True)
    assert gone["changed"] and gone["backend_config"] == {}
    assert not bucket_exists(s3, bucket) and not table_exists(ddb, table)
    assert run(bucket=bucket, lock_table=table, region="us-east-1", state="absent")["changed"] is False


def test_absent_deletes_an_empty_backend_without_force(aws_env, boto_clients, unique_name):
    s3 = boto_clients("s3")
    bucket = unique_name("state")
    run(bucket=bucket, region="us-east-1")
    assert run(bucket=bucket, region="us-east-1", state="absent")["changes"] == ["delete bucket %s" % bucket]
    assert not bucket_exists(s3, bucket)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("given, message", [
    (dict(bucket="Invalid_Bucket"), "is not a valid S3 bucket name"),
    (dict(bucket="valid-bucket-name", lock_table="bad table"), "is not a valid DynamoDB table name"),
    (dict(bucket="valid-bucket-name", encryption="aws:kms"), "kms_key_id is not set"),
])
def test_bad_input_fails_before_any_api_call(aws_env, local_aws, given, message):
    with FaultProxy(local_aws) as proxy:
        with pytest.raises(InputError, match=message):
            run(region="us-east-1", endpoint_url=proxy.url, **given)
    assert proxy.requests == []


def test_bucket_in_another_region_fails_naming_both_and_creates_nothing(aws_env, local_aws, unique_name):
    import boto3
    s3_eu = boto3.client("s3", endpoint_url=local_aws, region_name="eu-west-1",
                         aws_access_key_id="test", aws_secret_access_key="test")
    bucket, table = unique_name("state"), unique_name("lock")
    s3_eu.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with FaultProxy(local_aws) as proxy:
        with pytest.raises(AwsError) as caught:
            run(bucket=bucket, lock_table=table, region="us-east-1", endpoint_url=proxy.url)
    assert "exists in region eu-west-1, but the configured region is us-east-1" in caught.value.message
    assert [r for r in proxy.requests if r[0] != "HEAD"] == []  # no create, no table, nothing


def test_access_denied_on_head_bucket_is_never_treated_as_missing(aws_env, local_aws, unique_name):
    bucket, table = unique_name("state"), unique_name("lock")
    with FaultProxy(local_aws, lambda method, path, query, target: (403, "403", "Forbidden") if method == "HEAD"
                    else None) as proxy:
        with pytest.raises(AwsError) as caught:
            run(bucket=bucket, lock_table=table, region="us-east-1", endpoint_url=proxy.url)
    assert caught.value.message.startswith("checking bucket %s: access denied" % bucket)
    assert "\n" not in caught.value.message
    assert proxy.requests == [("HEAD", "/" + bucket, "")]


def test_bucket_name_taken_by_another_account(aws_env, local_aws, unique_name):
    bucket = unique_name("state")
    heads = []

    def rule(method, path, query, target):
        if method == "HEAD":
            heads.append(path)
            return (404, "NoSuchBucket", "nope") if len(heads) == 1 else (403, "403", "Forbidden")
        if method == "PUT" and path == "/" + bucket and not query:
            return 409, "BucketAlreadyExists", "The requested bucket name is not available"
        return None

    with FaultProxy(local_aws, rule) as proxy:
        with pytest.raises(AwsError, match="the name is taken by another AWS account"):
            run(bucket=bucket, region="us-east-1", endpoint_url=proxy.url)
    assert [r[0] for r in proxy.requests] == ["HEAD", "PUT", "HEAD"]


def test_not_implemented_api_fails_only_when_its_feature_is_asked_for(aws_env, local_aws, unique_name):
    bucket = unique_name("state")

    def rule(method, path, query, target):
        return (501, "NotImplemented", "lifecycle is not implemented") if "lifecycle" in query else None

    with FaultProxy(local_aws, rule) as proxy:
        assert run(bucket=bucket, region="us-east-1", endpoint_url=proxy.url)["bucket_created"] is True
        assert not [r for r in proxy.requests if "lifecycle" in r[2]]
        with pytest.raises(AwsError) as caught:
            run(bucket=bucket, region="us-east-1", endpoint_url=proxy.url, noncurrent_version_expiration_days=30)
    assert "does not implement this API (get_bucket_lifecycle_configuration)" in caught.value.message
    assert "no noncurrent_version_expiration_days" in caught.value.message


def test_unreachable_endpoint_is_one_clear_line(aws_env, monkeypatch):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once closed
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(AwsError) as caught:
        run(bucket="some-state-bucket", region="us-east-1", endpoint_url="http://127.0.0.1:%d" % port)
    assert "AWS endpoint unreachable at http://127.0.0.1:%d" % port in caught.value.message
    assert "\n" not in caught.value.message


def test_existing_table_with_the_wrong_key_schema_is_refused(aws_env, boto_clients, unique_name):
    ddb = boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    with pytest.raises(AwsError, match=r"key schema id \(S, HASH\).*hash key LockID of type string"):
        run(bucket=bucket, lock_table=table, region="us-east-1")


# --------------------------------------------------------------------------- concurrency

def test_parallel_runs_creating_one_backend_all_succeed(aws_env, boto_clients, unique_name, local_aws):
    import boto3
    bucket, table = unique_name("state"), unique_name("lock")
    results, errors = [], []

    def one_run():
        try:
            results.append(run(bucket=bucket, lock_table=table, region="eu-west-1", tags={"team": "platform"}))
        except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
            errors.append(repr(exc))

    threads = [threading.Thread(target=one_run) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == 10
    # At least one created them. Not "exactly one": moto's CreateBucket/CreateTable check and
    # insert without a lock, so parallel requests may all succeed there; AWS answers the losers
    # BucketAlreadyOwnedByYou/ResourceInUseException, the path test_losing_the_creation_race covers.
    assert sum(r["bucket_created"] for r in results) >= 1
    assert sum(r["table_created"] for r in results) >= 1
    assert len({json.dumps(r["backend_config"], sort_keys=True) for r in results}) == 1
    s3 = boto3.client("s3", endpoint_url=local_aws, region_name="eu-west-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    ddb = boto3.client("dynamodb", endpoint_url=local_aws, region_name="eu-west-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    assert_secure_bucket(s3, bucket)
    assert_lock_table(ddb, table)
    assert run(bucket=bucket, lock_table=table, region="eu-west-1", tags={"team": "platform"})["changed"] is False


def test_losing_the_creation_race_converges(aws_env, local_aws, unique_name):
    """Another run creates bucket and table between our look and our create: AWS's real answers
    (BucketAlreadyOwnedByYou, ResourceInUseException) mean "exists", and we converge it."""
    import boto3
    kwargs = dict(endpoint_url=local_aws, region_name="eu-west-1", aws_access_key_id="test",
                  aws_secret_access_key="test")
    s3, ddb = boto3.client("s3", **kwargs), boto3.client("dynamodb", **kwargs)
    bucket, table = unique_name("state"), unique_name("lock")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True},
                     AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])
    first_look = {"HEAD": True, "DynamoDB_20120810.DescribeTable": True}

    def rule(method, path, query, target):
        key = target or method
        if first_look.get(key):  # the first look sees nothing yet
            first_look[key] = False
            return (404, "NoSuchBucket", "") if method == "HEAD" else (400, "ResourceNotFoundException", "")
        return None

    with FaultProxy(local_aws, rule) as proxy:
        result = run(bucket=bucket, lock_table=table, region="eu-west-1", endpoint_url=proxy.url)
    assert (result["bucket_created"], result["table_created"]) == (False, False)
    assert ("PUT", "/" + bucket, "") in proxy.requests  # it did try to create, and lost
    assert not [c for c in result["changes"] if c.startswith("create")]  # the other run's change, not ours
    assert "lock table %s: point_in_time_recovery off -> on" % table in result["changes"]
    assert_secure_bucket(s3, bucket)
    assert_lock_table(ddb, table)


# --------------------------------------------------------------------------- through ansible-playbook

def ansible_playbook(*args, cwd=REPO):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    proc = subprocess.run([str(BIN / "ansible-playbook")] + [str(a) for a in args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=300)
    return proc


MODULE_PLAY = """
- name: Drive groundwork.terraform.state_backend for real
  hosts: localhost
  gather_facts: false
  vars:
    backend_args: &backend
      bucket: {bucket}
      lock_table: {table}
      region: us-east-1
      tags: {{team: platform}}
  tasks:
    - name: Ensure the backend (credentials and endpoint from the AWS_* environment)
      groundwork.terraform.state_backend: *backend
      register: first
    - name: Ensure it again
      groundwork.terraform.state_backend: *backend
      register: second
    - name: First run changes, second is idempotent (in check mode nothing was created, so both change)
      ansible.builtin.assert:
        that:
          - first is changed
          - first.changes[0] == 'create bucket {bucket} in us-east-1'
          - (second is changed) == ansible_check_mode
          - first.bucket_created != ansible_check_mode
          - second.changes == [] or ansible_check_mode
          - first.backend_config.bucket == '{bucket}'
          - first.backend_config.dynamodb_table == '{table}'
          - first.backend_config.use_path_style
"""


@pytest.mark.slow
def test_module_through_ansible_playbook_check_diff_idempotent(aws_env, boto_clients, unique_name, tmp_path):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock")
    playbook = tmp_path / "module.yml"
    playbook.write_text(MODULE_PLAY.format(bucket=bucket, table=table))

    checked = ansible_playbook(playbook, "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not bucket_exists(s3, bucket) and not table_exists(ddb, table)

    applied = ansible_playbook(playbook, "--diff")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "ok=3    changed=1" in applied.stdout  # the second ensure reported no change
    assert re.search(r"^-\s+exists: false$", applied.stdout, re.M)
    assert re.search(r"^\+\s+versioning: Enabled$", applied.stdout, re.M)
    assert "plain-HTTP endpoint" in applied.stdout + applied.stderr  # the enforce_tls warning reaches the user
    assert_secure_bucket(s3, bucket)
    assert_lock_table(ddb, table)


BOOTSTRAP_CHECK_PLAY = """
- name: Bootstrap
  ansible.builtin.import_playbook: {bootstrap}

- name: Every unit knows its backend
  hosts: terraform_units
  gather_facts: false
  tasks:
    - name: Check backend_config
      ansible.builtin.assert:
        that:
          - backend_config.bucket == tf_state_bucket
          - backend_config.dynamodb_table | default(none) == tf_lock_table | default(none)
          - backend_config.use_lockfile | default(false) == (tf_lock_table is not defined)
          - backend_config.endpoints.s3 == aws_endpoint_url
        quiet: true

    - name: Say which backends were ensured and which changed
      ansible.builtin.debug:
        msg: >-
          ensured={{{{ backend_results.backends | map(attribute='bucket_created') | length }}}}
          {{{{ backend_results.backends | map(attribute='id') | map('split', '|') | map('first') | sort | join(',') }}}}
          changed={{{{ backend_results.backends | selectattr('changed') | map(attribute='id') | map('split', '|')
                     | map('first') | sort | join(',') }}}}
      run_once: true
"""


def bootstrap_inventory(path, endpoint, shared, shared_table, other, extra_unit_vars=None):
    units = {name: {"tf_state_bucket": shared, "tf_lock_table": shared_table} for name in ("network", "data", "app")}
    units["dr"] = {"tf_state_bucket": other}
    units["app"].update(extra_unit_vars or {})
    inventory = {"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "aws_region": "us-east-1", "aws_endpoint_url": endpoint, "tf_state_tags": {"env": "test"}},
        "children": {"terraform_units": {"hosts": units}}}}
    path.write_text(yaml.safe_dump(inventory))
    return path


@pytest.mark.slow
def test_bootstrap_playbook_ensures_each_distinct_backend_once(aws_env, boto_clients, unique_name, tmp_path):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    shared, table, other = unique_name("shared"), unique_name("lock"), unique_name("other")
    inventory = bootstrap_inventory(tmp_path / "hosts.yml", aws_env["AWS_ENDPOINT_URL"], shared, table, other)
    playbook = tmp_path / "bootstrap_and_check.yml"
    playbook.write_text(BOOTSTRAP_CHECK_PLAY.format(bootstrap=REPO / "playbooks" / "bootstrap.yml"))

    first = ansible_playbook(playbook, "-i", inventory)
    assert first.returncode == 0, first.stdout + first.stderr
    both = ",".join(sorted([shared, other]))
    ensured = re.search(r"ensured=2 (\S+) changed=([\w,.-]*)", first.stdout)
    assert ensured and ensured.groups() == (both, both), first.stdout  # 4 units, 2 backends, once each
    mine = sorted(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"] in (shared, other))
    assert mine == sorted([shared, other])
    assert_secure_bucket(s3, shared)
    assert_secure_bucket(s3, other)
    assert_lock_table(ddb, table)

    second = ansible_playbook(playbook, "-i", inventory)
    assert second.returncode == 0, second.stdout + second.stderr
    ensured = re.search(r"ensured=2 (\S+) changed=([\w,.-]*)", second.stdout)
    assert ensured and ensured.groups() == (both, ""), second.stdout
    assert not re.search(r"changed=[1-9]", second.stdout)


def test_bootstrap_refuses_units_disagreeing_on_a_shared_backend(aws_env, boto_clients, unique_name, tmp_path):
    s3 = boto_clients("s3")
    shared, table, other = unique_name("shared"), unique_name("lock"), unique_name("other")
    inventory = bootstrap_inventory(tmp_path / "hosts.yml", aws_env["AWS_ENDPOINT_URL"], shared, table, other,
                                    extra_unit_vars={"tf_state_versioning": "no"})
    proc = ansible_playbook(REPO / "playbooks" / "bootstrap.yml", "-i", inventory)
    assert proc.returncode != 0
    assert re.search(r"unit \w+ and unit \w+ share the backend %s\|us-east-1\|%s\|\S+ but set different versioning"
                     % (shared, table), proc.stdout), proc.stdout
    assert not bucket_exists(s3, shared) and not bucket_exists(s3, other)


# --------------------------------------------------------------------------- real terraform

@pytest.mark.terraform
@pytest.mark.parametrize("with_table", [True, False], ids=["dynamodb-lock", "s3-lockfile"])
def test_terraform_initialises_and_writes_state_with_backend_config(aws_env, boto_clients, unique_name, tmp_path,
                                                                   terraform_bin, with_table):
    s3, ddb = boto_clients("s3"), boto_clients("dynamodb")
    bucket, table = unique_name("state"), unique_name("lock") if with_table else None
    # moto evaluates the TLS-deny statement without request context, so over its plain-HTTP
    # endpoint it would deny terraform's object requests (see the enforce_tls docs).
    config = run(bucket=bucket, lock_table=table, region="us-east-1", enforce_tls=False)["backend_config"]
    backend = dict(config, key="test/unit/terraform.tfstate")
    (tmp_path / "backend.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": backend}}}))
    (tmp_path / "main.tf").write_text('output "answer" {\n  value = 42\n}\n')
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
               TF_DATA_DIR=str(tmp_path / ".terraform"))
    env.pop("AWS_ENDPOINT_URL", None)  # backend_config alone must point terraform at the endpoint
    for argv in (["init", "-no-color"], ["apply", "-auto-approve", "-no-color"]):
        proc = subprocess.run([terraform_bin] + argv, cwd=str(tmp_path), env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    state = json.loads(s3.get_object(Bucket=bucket, Key="test/unit/terraform.tfstate")["Body"].read())
    assert state["outputs"]["answer"]["value"] == 42
    if with_table:
        items = ddb.scan(TableName=table)["Items"]
        assert [i["LockID"]["S"] for i in items] == ["%s/test/unit/terraform.tfstate-md5" % bucket]
    else:
        assert "dynamodb_table" not in config and config["use_lockfile"] is True
        # terraform took and released its S3 lock object: versions of it remain in the versioned bucket
        listing = s3.list_object_versions(Bucket=bucket, Prefix="test/unit/terraform.tfstate.tflock")
        assert listing.get("Versions") and listing.get("DeleteMarkers")
