"""state_backend logic that needs no AWS: input checks, backend_config, policy merge, comparisons.

Everything touching S3/DynamoDB is in tests/integration/test_state_backend.py (moto over HTTP).
"""
from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AWS_CONNECTION_SPEC
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import (
    STATE_BACKEND_SPEC,
    TLS_STATEMENT_SID,
    StateBackend,
    _normal_statement,
    _same_kms_key,
    _TlsPolicy,
    backend_config,
    bucket_name_problem,
    partition_of,
    validate_request,
)

SPEC = dict(AWS_CONNECTION_SPEC, **STATE_BACKEND_SPEC)


def module_params(**given):
    """Parameters exactly as AnsibleModule would hand them over (defaults filled in)."""
    result = ArgumentSpecValidator(SPEC).validate(given)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


@pytest.mark.parametrize("name", ["abc", "my-state.bucket-1", "a" * 63, "1-2-3", "tf.state.prod"])
def test_valid_bucket_names(name):
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize("name, problem", [
    ("ab", "3 to 63 characters long (it has 2)"),
    ("a" * 64, "3 to 63 characters long (it has 64)"),
    ("My_Bucket", "found 'B' 'M' '_'"),
    ("-leading", "begin and end with a letter or a digit"),
    ("trailing.", "begin and end with a letter or a digit"),
    ("two..dots", "two adjacent dots"),
    ("192.168.10.20", "IP address"),
    ("xn--punycode", "prefix 'xn--' is reserved"),
    ("sthree-bucket", "prefix 'sthree-' is reserved"),
    ("alias-s3alias", "suffix '-s3alias' is reserved"),
    ("access--ol-s3", "suffix '--ol-s3' is reserved"),
])
def test_invalid_bucket_names_say_why(name, problem):
    assert problem in bucket_name_problem(name)


@pytest.mark.parametrize("given, message", [
    (dict(bucket="Bad_Name"), "bucket 'Bad_Name' is not a valid S3 bucket name"),
    (dict(bucket="good-name", lock_table="no"), "lock_table 'no' is not a valid DynamoDB table name"),
    (dict(bucket="good-name", lock_table="bad table!"), "3 to 255 characters"),
    (dict(bucket="good-name", lock_table="x" * 256), "not a valid DynamoDB table name"),
    (dict(bucket="good-name", encryption="aws:kms"), "encryption is aws:kms but kms_key_id is not set"),
    (dict(bucket="good-name", kms_key_id="alias/x"), "kms_key_id is set but encryption is AES256"),
    (dict(bucket="good-name", access_log_bucket="good-name"), "access_log_bucket must differ from bucket"),
    (dict(bucket="good-name", access_log_bucket="Logs!"), "access_log_bucket 'Logs!' is not a valid"),
    (dict(bucket="good-name", access_log_prefix="x/"), "access_log_prefix is set without access_log_bucket"),
    (dict(bucket="good-name", noncurrent_version_expiration_days=0), "must be 1 or more (got 0)"),
    (dict(bucket="good-name", endpoint_url="localhost:4566"), "is not an http(s) URL"),
])
def test_bad_input_is_one_specific_line(given, message):
    with pytest.raises(InputError) as caught:
        validate_request(module_params(**given))
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.fail_kwargs()["msg"] == caught.value.message


@pytest.mark.parametrize("name", ["abc", "Terraform.Locks_prod-1", "x" * 255])
def test_valid_table_names(name):
    validate_request(module_params(bucket="good-name", lock_table=name))


def test_missing_region_is_an_input_error(monkeypatch):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(InputError, match="region is not set"):
        StateBackend(module_params(bucket="good-name"))
    with pytest.raises(InputError, match="not an AWS region name"):
        StateBackend(module_params(bucket="good-name", region="US East"))


def test_construction_creates_no_client():
    backend = StateBackend(module_params(bucket="good-name", region="eu-west-1", access_key="a", secret_key="b"))
    assert backend._s3 is None and backend._ddb is None


def test_backend_config_with_lock_table_on_aws():
    assert backend_config("b-state", "eu-west-1", lock_table="b-lock") == {
        "bucket": "b-state", "region": "eu-west-1", "encrypt": True, "dynamodb_table": "b-lock"}


def test_backend_config_without_lock_table_uses_the_s3_lockfile_and_kms():
    assert backend_config("b-state", "eu-west-1", kms_key_id="alias/tf") == {
        "bucket": "b-state", "region": "eu-west-1", "encrypt": True, "use_lockfile": True, "kms_key_id": "alias/tf"}


def test_backend_config_for_an_emulated_endpoint():
    url = "http://127.0.0.1:4566"
    assert backend_config("b-state", "us-east-1", lock_table="b-lock", endpoint_url=url) == {
        "bucket": "b-state", "region": "us-east-1", "encrypt": True, "dynamodb_table": "b-lock",
        "endpoints": {"s3": url, "dynamodb": url, "sts": url}, "use_path_style": True,
        "skip_credentials_validation": True, "skip_requesting_account_id": True,
        "skip_metadata_api_check": True, "skip_region_validation": True}


@pytest.mark.parametrize("region, partition", [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"),
                                               ("us-gov-west-1", "aws-us-gov")])
def test_partition_of(region, partition):
    assert partition_of(region) == partition


def tls_setting(policy, region="eu-west-1"):
    backend = StateBackend(module_params(bucket="state-b", region=region, access_key="a", secret_key="b"))
    setting = _TlsPolicy(backend)
    setting.policy = policy
    return setting


def test_tls_statement_is_appended_and_user_statements_kept_verbatim():
    user = [{"Sid": "ReadOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::state-b/*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::state-b"}]
    setting = tls_setting({"Version": "2012-10-17", "Id": "mine", "Statement": user})
    merged = setting.merged_policy()
    assert merged["Id"] == "mine"
    assert merged["Statement"][:2] == user
    assert merged["Statement"][2] == setting.statement()
    assert setting.statement()["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert setting.statement()["Resource"] == ["arn:aws:s3:::state-b", "arn:aws:s3:::state-b/*"]


def test_tls_statement_replaces_old_and_duplicate_copies_in_place():
    old = {"Sid": TLS_STATEMENT_SID, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
           "Resource": "arn:aws:s3:::state-b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    user = {"Sid": "Keep", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    setting = tls_setting({"Statement": [old, user, dict(old)]})
    merged = setting.merged_policy()
    assert merged["Statement"] == [setting.statement(), user]
    assert set(merged) == {"Statement"}  # top-level keys of the user policy are left alone


def test_tls_statement_for_a_missing_policy_and_a_single_statement_dict():
    assert tls_setting(None).merged_policy() == {"Version": "2012-10-17",
                                                 "Statement": [tls_setting(None).statement()]}
    single = {"Sid": "One", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    assert tls_setting({"Statement": single}).merged_policy()["Statement"][0] == single


def test_tls_statement_uses_the_partition_of_the_region():
    assert tls_setting(None, region="cn-north-1").statement()["Resource"][0] == "arn:aws-cn:s3:::state-b"


def test_equivalent_statement_spellings_compare_equal():
    ours = tls_setting(None).statement()
    spelled = dict(ours, Principal={"AWS": "*"}, Action=["s3:*"], Resource=list(reversed(ours["Resource"])),
                   Condition={"Bool": {"aws:SecureTransport": ["false"]}})
    assert _normal_statement(spelled) == _normal_statement(ours)
    assert _normal_statement(dict(ours, Effect="Allow")) != _normal_statement(ours)


@pytest.mark.parametrize("current, wanted, same", [
    ("arn:aws:kms:eu-west-1:1:key/abcd", "abcd", True),
    ("arn:aws:kms:eu-west-1:1:alias/tf", "alias/tf", True),
    ("abcd", "abcd", True),
    ("arn:aws:kms:eu-west-1:1:key/abcd", "efgh", False),
    (None, "abcd", False),
])
def test_same_kms_key(current, wanted, same):
    assert _same_kms_key(current, wanted) is same
