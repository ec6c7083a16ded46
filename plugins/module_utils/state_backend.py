# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure or remove a Terraform S3 state backend: the bucket and an optional DynamoDB lock table.

Flow: validate the request (no API call) -> read the settings this request manages -> compare
with the wanted ones -> apply the differences (skipped in check mode) -> ``backend_config``.

Safety rules kept throughout:
- a setting the request does not manage is never read nor written (fewer permissions needed,
  and an endpoint lacking that API is no problem); a boolean safety option set to false means
  "leave it as found": this module never weakens a bucket;
- a bucket that answers 403 is "access denied", never "missing"; a bucket in another region
  than the configured one is an error naming both, and nothing is created;
- concurrent runs creating the same bucket/table converge: "already exists" answers mean
  "someone else created it", and the run goes on converging the settings.
"""
from __future__ import annotations

import copy
import json
import random
import re
import time

try:
    import botocore.exceptions
    _BOTO_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
except ImportError:  # pragma: no cover - the module reports boto3 missing before using this
    _BOTO_ERRORS = ()

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import (
    AwsConnection,
    aws_error,
    error_code,
)
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, InputError

# Options of the state_backend module besides the AWS connection ones (AWS_CONNECTION_SPEC).
STATE_BACKEND_SPEC = dict(
    bucket=dict(type="str", required=True),
    lock_table=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    versioning=dict(type="bool", default=True),
    encryption=dict(type="str", default="AES256", choices=["AES256", "aws:kms"]),
    kms_key_id=dict(type="str"),
    block_public_access=dict(type="bool", default=True),
    enforce_tls=dict(type="bool", default=True),
    access_log_bucket=dict(type="str"),
    access_log_prefix=dict(type="str"),
    noncurrent_version_expiration_days=dict(type="int"),
    point_in_time_recovery=dict(type="bool", default=True),
    tags=dict(type="dict"),
    force=dict(type="bool", default=False),
)

# Our bucket policy statement and lifecycle rule are found again by these fixed ids, so
# re-runs replace them in place and leave everything else in the policy/lifecycle alone.
TLS_STATEMENT_SID = "GroundworkDenyInsecureTransport"
LIFECYCLE_RULE_ID = "groundwork-noncurrent-version-expiration"
LOCK_KEY = "LockID"
PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

_NOT_IMPLEMENTED = {"NotImplemented", "XNotImplemented", "NotImplementedException", "501"}
_BUCKET_MISSING = {"404", "NoSuchBucket", "NotFound"}
_TABLE_MISSING = {"ResourceNotFoundException"}
# S3 answers OperationAborted while another request changes the same bucket (parallel runs).
_S3_BUSY = ("OperationAborted",)
_DDB_BUSY = ("ResourceInUseException", "LimitExceededException", "ContinuousBackupsUnavailableException")
_DELETING_PURGE_BATCH = 1000

_BUCKET_CHARS = re.compile(r"[^a-z0-9.-]")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


# --------------------------------------------------------------------------- validation

def bucket_name_problem(name):
    """Why ``name`` is not a valid S3 bucket name, or None when it is."""
    if not name:
        return "it is empty"
    if not 3 <= len(name) <= 63:
        return "it must be 3 to 63 characters long (it has %d)" % len(name)
    bad = sorted(set(_BUCKET_CHARS.findall(name)))
    if bad:
        return "it may contain only lowercase letters, digits, dots and hyphens (found %s)" % " ".join(
            repr(c) for c in bad)
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "it must begin and end with a letter or a digit"
    if ".." in name:
        return "it must not contain two adjacent dots"
    if _IP_ADDRESS.match(name):
        return "it must not be formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return "the prefix %r is reserved by AWS" % prefix
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return "the suffix %r is reserved by AWS" % suffix
    return None


def validate_bucket_name(name, option="bucket"):
    problem = bucket_name_problem(name)
    if problem:
        raise InputError("%s %r is not a valid S3 bucket name: %s (see "
                         "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)"
                         % (option, name, problem), option=option)


def validate_table_name(name):
    if not _TABLE_NAME.match(name or ""):
        raise InputError("lock_table %r is not a valid DynamoDB table name: use 3 to 255 characters "
                         "from a-z, A-Z, 0-9, '_', '-' and '.'" % (name,), option="lock_table")


def validate_request(params):
    """Every check that needs no API call; raises InputError with one actionable line."""
    validate_bucket_name(params.get("bucket"))
    if params.get("lock_table") is not None:
        validate_table_name(params["lock_table"])
    encryption = params.get("encryption") or "AES256"
    if encryption == "aws:kms" and not params.get("kms_key_id"):
        raise InputError("encryption is aws:kms but kms_key_id is not set: give the KMS key id, ARN or "
                         "alias (alias/name) to encrypt the state bucket with, or use encryption: AES256",
                         option="kms_key_id")
    if encryption != "aws:kms" and params.get("kms_key_id"):
        raise InputError("kms_key_id is set but encryption is %s: set encryption: aws:kms to use the key, "
                         "or remove kms_key_id" % encryption, option="kms_key_id")
    log_bucket = params.get("access_log_bucket")
    if log_bucket is not None:
        validate_bucket_name(log_bucket, option="access_log_bucket")
        if log_bucket == params.get("bucket"):
            raise InputError("access_log_bucket must differ from bucket: a bucket logging into itself "
                             "writes a log object for every log object", option="access_log_bucket")
    elif params.get("access_log_prefix"):
        raise InputError("access_log_prefix is set without access_log_bucket: name the bucket that "
                         "receives the access logs", option="access_log_prefix")
    days = params.get("noncurrent_version_expiration_days")
    if days is not None and days < 1:
        raise InputError("noncurrent_version_expiration_days must be 1 or more (got %s); omit it to "
                         "keep old state versions forever" % days, option="noncurrent_version_expiration_days")
    endpoint = params.get("endpoint_url")
    if endpoint and not re.match(r"^https?://[^/\s]+", endpoint):
        raise InputError("endpoint_url %r is not an http(s) URL such as http://127.0.0.1:4566" % endpoint,
                         option="endpoint_url")


# --------------------------------------------------------------------------- backend_config

def partition_of(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def backend_config(bucket, region, lock_table=None, kms_key_id=None, endpoint_url=None):
    """Settings for terraform's ``backend "s3"`` block (terraform >= 1.6; ``use_lockfile`` >= 1.10).

    Credentials are never part of it: they travel to terraform through the environment.
    """
    config = {"bucket": bucket, "region": region, "encrypt": True}
    if lock_table:
        config["dynamodb_table"] = lock_table
    else:
        config["use_lockfile"] = True
    if kms_key_id:
        config["kms_key_id"] = kms_key_id
    if endpoint_url:
        # An emulated endpoint (LocalStack, moto): every service at one URL, path-style S3,
        # and no calls to STS/IMDS that an emulator may not answer the way AWS does.
        config["endpoints"] = {"s3": endpoint_url, "dynamodb": endpoint_url, "sts": endpoint_url}
        config.update(use_path_style=True, skip_credentials_validation=True, skip_requesting_account_id=True,
                      skip_metadata_api_check=True, skip_region_validation=True)
    return config


# --------------------------------------------------------------------------- AWS call helpers

def _retrying(call, busy_codes, attempts=8, delay=0.25):
    """Run ``call``; retry with jittered backoff while AWS says the resource is busy."""
    for attempt in range(attempts):
        try:
            return call()
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) not in busy_codes or attempt == attempts - 1:
                raise
            time.sleep(min(5.0, delay * (2 ** attempt)) * (0.5 + random.random() / 2))
    return None  # pragma: no cover - the loop returns or raises


def _show(value):
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _tag_dict(pairs):
    return dict((pair["Key"], pair["Value"]) for pair in pairs or [])


def _tag_list(tags):
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def _same_kms_key(current, wanted):
    """True when two spellings (id, ARN, alias, alias ARN) name the same key as far as we can tell."""
    if not current or not wanted:
        return current == wanted
    return (current == wanted or current.endswith(":" + wanted) or current.endswith("/" + wanted)
            or wanted.endswith(":" + current) or wanted.endswith("/" + current))


def _as_sorted_list(value):
    if value is None:
        return []
    return sorted(value) if isinstance(value, list) else [value]


def _normal_statement(statement):
    principal = statement.get("Principal")
    if principal in ({"AWS": "*"}, {"AWS": ["*"]}):
        principal = "*"
    condition = {}
    for operator, pairs in (statement.get("Condition") or {}).items():
        condition[operator] = dict((key, sorted(str(v).lower() for v in _as_sorted_list(val)))
                                   for key, val in pairs.items())
    return {"Effect": statement.get("Effect"), "Principal": principal,
            "Action": _as_sorted_list(statement.get("Action")),
            "Resource": _as_sorted_list(statement.get("Resource")), "Condition": condition}


def _statements(policy):
    statements = (policy or {}).get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


# --------------------------------------------------------------------------- bucket settings

class _BucketSetting(object):
    """One bucket setting: how to read it, what it should be, how to write it.

    Only settings the request manages are instantiated, so nothing else is read or written.
    """

    key = ""      # name in the diff and in change messages
    option = ""   # the option that asks for it (named when an endpoint lacks the API)

    def __init__(self, backend):
        self.backend = backend
        self.params = backend.params
        self.bucket = backend.bucket

    @classmethod
    def managed(cls, params):
        return True

    def call(self, action, method, missing=(), **kwargs):
        return self.backend.call(self.backend.s3, method, action, "bucket %s" % self.bucket,
                                 feature=self.option, missing=missing, busy=_S3_BUSY, Bucket=self.bucket, **kwargs)

    def show(self, value):
        return _show(value)

    def read(self):
        raise NotImplementedError

    def target(self, current):
        raise NotImplementedError

    def write(self, value):
        raise NotImplementedError


class _Versioning(_BucketSetting):
    key = option = "versioning"

    @classmethod
    def managed(cls, params):
        return params["versioning"]

    def read(self):
        return self.call("reading versioning of", "get_bucket_versioning").get("Status") or "Disabled"

    def target(self, current):
        return "Enabled"

    def write(self, value):
        self.call("enabling versioning on", "put_bucket_versioning", VersioningConfiguration={"Status": value})


class _Encryption(_BucketSetting):
    key = option = "encryption"

    def read(self):
        answer = self.call("reading default encryption of", "get_bucket_encryption",
                           missing=("ServerSideEncryptionConfigurationNotFoundError",))
        rules = ((answer or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        if not rules:
            return None
        default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
        value = {"algorithm": default.get("SSEAlgorithm")}
        if value["algorithm"] == "aws:kms":
            value.update(kms_key_id=default.get("KMSMasterKeyID"), bucket_key=bool(rules[0].get("BucketKeyEnabled")))
        return value

    def target(self, current):
        if self.params["encryption"] != "aws:kms":
            return {"algorithm": "AES256"}
        key = self.params["kms_key_id"]
        if current and _same_kms_key(current.get("kms_key_id"), key):
            key = current["kms_key_id"]  # AWS may echo an ARN for the id we sent: same key, no change
        # The bucket key cuts KMS requests (and cost) for every state read and write.
        return {"algorithm": "aws:kms", "kms_key_id": key, "bucket_key": True}

    def show(self, value):
        if not value:
            return "none"
        if value.get("algorithm") != "aws:kms":
            return value.get("algorithm")
        return "aws:kms (key %s, bucket key %s)" % (value.get("kms_key_id"), _show(value.get("bucket_key")))

    def write(self, value):
        default = {"SSEAlgorithm": value["algorithm"]}
        rule = {"ApplyServerSideEncryptionByDefault": default}
        if value["algorithm"] == "aws:kms":
            default["KMSMasterKeyID"] = value["kms_key_id"]
            rule["BucketKeyEnabled"] = True
        self.call("setting default encryption of", "put_bucket_encryption",
                  ServerSideEncryptionConfiguration={"Rules": [rule]})


class _PublicAccessBlock(_BucketSetting):
    key = "public_access_block"
    option = "block_public_access"

    @classmethod
    def managed(cls, params):
        return params["block_public_access"]

    def read(self):
        answer = self.call("reading the public access block of", "get_public_access_block",
                           missing=("NoSuchPublicAccessBlockConfiguration",))
        config = (answer or {}).get("PublicAccessBlockConfiguration") or {}
        return dict((flag, bool(config.get(flag))) for flag in PUBLIC_ACCESS_FLAGS)

    def target(self, current):
        return dict((flag, True) for flag in PUBLIC_ACCESS_FLAGS)

    def show(self, value):
        on = [flag for flag in PUBLIC_ACCESS_FLAGS if (value or {}).get(flag)]
        if len(on) == len(PUBLIC_ACCESS_FLAGS):
            return "all four on"
        return "%s on" % ", ".join(on) if on else "off"

    def write(self, value):
        self.call("blocking public access to", "put_public_access_block", PublicAccessBlockConfiguration=value)


class _TlsPolicy(_BucketSetting):
    """Our deny-non-TLS statement, merged into whatever policy the bucket already has."""

    key = "tls_policy"
    option = "enforce_tls"

    def __init__(self, backend):
        super(_TlsPolicy, self).__init__(backend)
        self.policy = None

    @classmethod
    def managed(cls, params):
        return params["enforce_tls"]

    def statement(self):
        arn = "arn:%s:s3:::%s" % (partition_of(self.backend.region), self.bucket)
        return {"Sid": TLS_STATEMENT_SID, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [arn, arn + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

    def read(self):
        answer = self.call("reading the policy of", "get_bucket_policy", missing=("NoSuchBucketPolicy",))
        text = (answer or {}).get("Policy")
        try:
            self.policy = json.loads(text) if text else None
        except ValueError:
            raise AwsError("reading the policy of bucket %s: the endpoint returned a policy that is not JSON"
                           % self.bucket)
        ours = [s for s in _statements(self.policy) if isinstance(s, dict) and s.get("Sid") == TLS_STATEMENT_SID]
        if not ours:
            return "absent"
        if len(ours) == 1 and _normal_statement(ours[0]) == _normal_statement(self.statement()):
            return "present"
        return "outdated"

    def target(self, current):
        return "present"

    def merged_policy(self):
        """The current policy with our statement replacing its old copies (or appended), others untouched."""
        policy = copy.deepcopy(self.policy) if self.policy else {"Version": "2012-10-17"}
        merged, placed = [], False
        for statement in _statements(policy):
            if isinstance(statement, dict) and statement.get("Sid") == TLS_STATEMENT_SID:
                if not placed:
                    merged.append(self.statement())
                    placed = True
                continue
            merged.append(statement)
        if not placed:
            merged.append(self.statement())
        policy["Statement"] = merged
        return policy

    def write(self, value):
        self.call("adding the TLS-only statement to the policy of", "put_bucket_policy",
                  Policy=json.dumps(self.merged_policy()))


class _AccessLogging(_BucketSetting):
    key = "access_logging"
    option = "access_log_bucket"

    @classmethod
    def managed(cls, params):
        return params.get("access_log_bucket") is not None

    def read(self):
        enabled = self.call("reading access logging of", "get_bucket_logging").get("LoggingEnabled")
        if not enabled:
            return None
        return {"bucket": enabled.get("TargetBucket"), "prefix": enabled.get("TargetPrefix") or ""}

    def target(self, current):
        prefix = self.params.get("access_log_prefix")
        if prefix is None:
            prefix = self.bucket + "/"  # one log bucket can serve many state buckets
        return {"bucket": self.params["access_log_bucket"], "prefix": prefix}

    def write(self, value):
        self.call("enabling access logging of", "put_bucket_logging", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": value["bucket"], "TargetPrefix": value["prefix"]}})


class _NoncurrentExpiration(_BucketSetting):
    """Our lifecycle rule expiring old state versions, merged with the bucket's other rules."""

    key = option = "noncurrent_version_expiration_days"

    def __init__(self, backend):
        super(_NoncurrentExpiration, self).__init__(backend)
        self.rules = []

    @classmethod
    def managed(cls, params):
        return params.get("noncurrent_version_expiration_days") is not None

    def read(self):
        answer = self.call("reading the lifecycle of", "get_bucket_lifecycle_configuration",
                           missing=("NoSuchLifecycleConfiguration",))
        self.rules = list((answer or {}).get("Rules") or [])
        for rule in self.rules:
            if rule.get("ID") == LIFECYCLE_RULE_ID and rule.get("Status") == "Enabled":
                return (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        return None

    def target(self, current):
        return self.params["noncurrent_version_expiration_days"]

    def write(self, value):
        ours = {"ID": LIFECYCLE_RULE_ID, "Status": "Enabled", "Filter": {"Prefix": ""},
                "NoncurrentVersionExpiration": {"NoncurrentDays": value}}
        rules = [rule for rule in self.rules if rule.get("ID") != LIFECYCLE_RULE_ID] + [ours]
        self.call("setting the lifecycle of", "put_bucket_lifecycle_configuration",
                  LifecycleConfiguration={"Rules": rules})


class _BucketTags(_BucketSetting):
    """Wanted tags are added or corrected; tags set by others are kept."""

    key = option = "tags"

    @classmethod
    def managed(cls, params):
        return params.get("tags") is not None

    def read(self):
        answer = self.call("reading the tags of", "get_bucket_tagging", missing=("NoSuchTagSet",))
        return _tag_dict((answer or {}).get("TagSet"))

    def target(self, current):
        merged = dict(current or {})
        merged.update(self.backend.tags)
        return merged

    def write(self, value):
        self.call("tagging", "put_bucket_tagging", Tagging={"TagSet": _tag_list(value)})


# Applied in this order: access is locked down before anything else is configured.
BUCKET_SETTINGS = (_PublicAccessBlock, _Encryption, _Versioning, _TlsPolicy, _AccessLogging,
                   _NoncurrentExpiration, _BucketTags)


# --------------------------------------------------------------------------- the backend

class StateBackend(object):
    """Plan and apply one state backend. ``params`` are the module's validated parameters."""

    def __init__(self, params, connection=None, check_mode=False, diff=False):
        validate_request(params)
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.conn = connection or AwsConnection.from_params(params)
        if not self.conn.region:
            raise InputError("region is not set: set the region option or AWS_REGION (e.g. us-east-1)",
                             option="region")
        if not _REGION.match(self.conn.region):
            raise InputError("region %r is not an AWS region name such as us-east-1" % self.conn.region,
                             option="region")
        self.region = self.conn.region
        self.bucket = params["bucket"]
        self.table = params.get("lock_table")
        self.tags = dict((str(k), "" if v is None else str(v)) for k, v in (params.get("tags") or {}).items())
        self.changes = []
        self._s3 = self._ddb = None

    # clients are created lazily so that bad input fails before boto3 does anything
    @property
    def s3(self):
        if self._s3 is None:
            self._s3 = self.conn.client("s3")
        return self._s3

    @property
    def ddb(self):
        if self._ddb is None:
            self._ddb = self.conn.client("dynamodb")
        return self._ddb

    def call(self, client, method, action, resource, feature=None, missing=(), busy=(), **kwargs):
        """One API call. Codes in ``missing`` return None; AWS errors become one clear line."""
        try:
            return _retrying(lambda: getattr(client, method)(**kwargs), busy)
        except _BOTO_ERRORS as exc:
            code = error_code(exc)
            if code in missing:
                return None
            if code in _NOT_IMPLEMENTED and feature:
                raise AwsError("%s %s: the endpoint %s does not implement this API (%s); set %s to skip "
                               "that feature there" % (action, resource, self.conn.endpoint_url or "in use",
                                                       method, _disable_hint(feature)),
                               aws_error_code=code)
            raise aws_error(exc, action, resource, self.conn.endpoint_url)

    def run(self):
        if self.params["state"] == "absent":
            return self._absent()
        return self._present()

    # ----------------------------------------------------------------- present

    def _present(self):
        bucket_before, bucket_after, bucket_created = self._ensure_bucket()
        table_before = table_after = None
        table_created = False
        if self.table:
            table_before, table_after, table_created = self._ensure_table()
        warnings = []
        endpoint = self.conn.endpoint_url or ""
        if self.params["enforce_tls"] and endpoint.startswith("http://"):
            # moto evaluates bucket policies without request context, so the deny matches every
            # object request there; LocalStack does not enforce policies by default.
            warnings.append("enforce_tls on the plain-HTTP endpoint %s: the TLS-only statement denies every "
                            "request made over HTTP, so an endpoint that evaluates bucket policies (moto does) "
                            "refuses terraform's state reads and writes; set enforce_tls: false there" % endpoint)
        result = dict(
            changed=bool(self.changes), changes=self.changes, bucket_created=bucket_created, warnings=warnings,
            table_created=table_created,
            backend_config=backend_config(
                self.bucket, self.region, self.table,
                self.params["kms_key_id"] if self.params["encryption"] == "aws:kms" else None,
                self.conn.endpoint_url))
        if self.diff:
            result["diff"] = {"before": _drop_none({"bucket": bucket_before, "lock_table": table_before}),
                              "after": _drop_none({"bucket": bucket_after, "lock_table": table_after})}
        return result

    def _bucket_region(self):
        """The bucket's region, None when it does not exist; errors when it is elsewhere or forbidden."""
        try:
            answer = self.s3.head_bucket(Bucket=self.bucket)
            headers = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            region = answer.get("BucketRegion") or headers.get("x-amz-bucket-region")
        except _BOTO_ERRORS as exc:
            code = error_code(exc)
            if code in _BUCKET_MISSING:
                return None
            headers = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {})
            region = headers.get("x-amz-bucket-region")
            if not (code in ("301", "PermanentRedirect") and region):
                raise aws_error(exc, "checking", "bucket %s" % self.bucket, self.conn.endpoint_url)
        if not region:
            answer = self.call(self.s3, "get_bucket_location", "finding the region of", "bucket %s" % self.bucket,
                               Bucket=self.bucket)
            region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
                answer.get("LocationConstraint"), answer.get("LocationConstraint"))
        if region != self.region:
            raise AwsError("bucket %s exists in region %s, but the configured region is %s: set region to %s "
                           "to use it, or choose another bucket name (bucket names are global); nothing was "
                           "created" % (self.bucket, region, self.region, region),
                           bucket_region=region, configured_region=self.region)
        return region

    def _create_bucket(self):
        """Create the bucket; True when this call created it, False when another run did meanwhile."""
        kwargs = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.s3.create_bucket(**kwargs)
            created = True
        except _BOTO_ERRORS as exc:
            code = error_code(exc)
            if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists", "OperationAborted"):
                raise aws_error(exc, "creating", "bucket %s in %s" % (self.bucket, self.region),
                                self.conn.endpoint_url)
            created = False
            self._await_existing_bucket(code)
        waiter = self.s3.get_waiter("bucket_exists")
        try:
            waiter.wait(Bucket=self.bucket, WaiterConfig={"Delay": 2, "MaxAttempts": 30})
        except _BOTO_ERRORS as exc:
            raise aws_error(exc, "waiting for", "bucket %s" % self.bucket, self.conn.endpoint_url)
        return created

    def _await_existing_bucket(self, code):
        """After an "already exists" answer: make sure the bucket is ours, here, and visible."""
        for attempt in range(10):
            try:
                if self._bucket_region() is not None:
                    return
            except AwsError as err:
                if code == "BucketAlreadyExists" and err.details.get("aws_error_code") in ("403", "AccessDenied"):
                    raise AwsError("creating bucket %s: the name is taken by another AWS account (bucket names "
                                   "are global); choose another bucket name" % self.bucket,
                                   aws_error_code=code)
                raise
            time.sleep(min(2.0, 0.2 * (attempt + 1)))  # OperationAborted: a parallel create is in flight
        raise AwsError("creating bucket %s: S3 answered %s but the bucket never appeared; retry later"
                       % (self.bucket, code), aws_error_code=code)

    def _ensure_bucket(self):
        existed = self._bucket_region() is not None
        before = {"name": self.bucket, "region": self.region, "exists": existed}
        after = dict(before, exists=True)
        created = False
        if not existed:
            create = "create bucket %s in %s" % (self.bucket, self.region)
            self.changes.append(create)
            if not self.check_mode:
                created = self._create_bucket()
                if not created:
                    # Another run won the race: not our change; converge it like any existing bucket.
                    self.changes.remove(create)
                    existed = True
        for setting_class in BUCKET_SETTINGS:
            if not setting_class.managed(self.params):
                continue
            setting = setting_class(self)
            current = setting.read() if existed else None
            wanted = setting.target(current)
            after[setting.key] = wanted
            if existed:
                before[setting.key] = current
                if current == wanted:
                    continue
                self.changes.append("bucket %s: %s %s -> %s" % (
                    self.bucket, setting.key, setting.show(current), setting.show(wanted)))
            else:
                self.changes.append("bucket %s: set %s to %s" % (self.bucket, setting.key, setting.show(wanted)))
            if not self.check_mode:
                setting.write(wanted)
        return before, after, created

    # ----------------------------------------------------------------- lock table

    def _ddb_call(self, method, action, feature=None, missing=(), busy=_DDB_BUSY, **kwargs):
        return self.call(self.ddb, method, action, "lock table %s" % self.table, feature=feature,
                         missing=missing, busy=busy, **kwargs)

    def _describe_table(self):
        answer = self._ddb_call("describe_table", "reading", missing=_TABLE_MISSING, TableName=self.table)
        return answer["Table"] if answer else None

    def _wait_table(self, waiter_name, action):
        try:
            self.ddb.get_waiter(waiter_name).wait(TableName=self.table, WaiterConfig={"Delay": 2, "MaxAttempts": 90})
        except _BOTO_ERRORS as exc:
            raise aws_error(exc, action, "lock table %s" % self.table, self.conn.endpoint_url)

    def _active_table(self, table):
        if table.get("TableStatus") != "ACTIVE":
            self._wait_table("table_exists", "waiting for")  # waits until ACTIVE
            table = self._describe_table()
        return table

    def _create_table(self):
        """Create the lock table; True when this call created it, False when another run did."""
        kwargs = dict(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                      AttributeDefinitions=[{"AttributeName": LOCK_KEY, "AttributeType": "S"}],
                      KeySchema=[{"AttributeName": LOCK_KEY, "KeyType": "HASH"}],
                      SSESpecification={"Enabled": True})
        if self.tags:
            kwargs["Tags"] = _tag_list(self.tags)
        try:
            _retrying(lambda: self.ddb.create_table(**kwargs), ("LimitExceededException",))
            return True
        except _BOTO_ERRORS as exc:
            if error_code(exc) != "ResourceInUseException":
                raise aws_error(exc, "creating", "lock table %s" % self.table, self.conn.endpoint_url)
            return False  # created by a parallel run; converge it like any existing table

    def _check_key_schema(self, table):
        keys = [(k.get("AttributeName"), k.get("KeyType")) for k in table.get("KeySchema") or []]
        types = dict((a.get("AttributeName"), a.get("AttributeType")) for a in table.get("AttributeDefinitions") or [])
        if keys != [(LOCK_KEY, "HASH")] or types.get(LOCK_KEY) != "S":
            raise AwsError("lock table %s exists with key schema %s, but terraform's S3 backend needs exactly one "
                           "key, the hash key LockID of type string: choose another lock_table name or recreate "
                           "the table" % (self.table, ", ".join("%s (%s, %s)" % (n, types.get(n), t) for n, t in keys)))

    def _table_settings(self, table):
        billing = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
        sse_status = (table.get("SSEDescription") or {}).get("Status")
        settings = {"key_schema": "LockID (S, HASH)", "billing_mode": billing,
                    "encryption": sse_status in ("ENABLED", "ENABLING", "UPDATING")}
        if self.params["point_in_time_recovery"]:
            answer = self._ddb_call("describe_continuous_backups", "reading point-in-time recovery of",
                                    feature="point_in_time_recovery", TableName=self.table)
            status = ((answer.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription")
                      or {}).get("PointInTimeRecoveryStatus")
            settings["point_in_time_recovery"] = status in ("ENABLED", "ENABLING")
        if self.params.get("tags") is not None:
            answer = self._ddb_call("list_tags_of_resource", "reading the tags of", feature="tags",
                                    ResourceArn=table["TableArn"])
            settings["tags"] = _tag_dict(answer.get("Tags"))
        return settings

    def _wanted_table_settings(self, current):
        wanted = {"key_schema": "LockID (S, HASH)", "billing_mode": "PAY_PER_REQUEST", "encryption": True}
        if self.params["point_in_time_recovery"]:
            wanted["point_in_time_recovery"] = True
        if self.params.get("tags") is not None:
            wanted["tags"] = dict(current.get("tags") or {}, **self.tags)
        return wanted

    def _apply_table_setting(self, key, value, table):
        if key == "billing_mode":
            self._ddb_call("update_table", "switching to on-demand billing", TableName=self.table,
                           BillingMode=value)
            self._wait_table("table_exists", "waiting for")
        elif key == "encryption":
            self._ddb_call("update_table", "enabling encryption at rest of", TableName=self.table,
                           SSESpecification={"Enabled": True, "SSEType": "KMS"})
            self._wait_table("table_exists", "waiting for")
        elif key == "point_in_time_recovery":
            self._ddb_call("update_continuous_backups", "enabling point-in-time recovery of",
                           feature="point_in_time_recovery", TableName=self.table,
                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        elif key == "tags":
            self._ddb_call("tag_resource", "tagging", feature="tags", ResourceArn=table["TableArn"],
                           Tags=_tag_list(value))

    def _ensure_table(self):
        table = self._describe_table()
        before = {"name": self.table, "region": self.region, "exists": table is not None}
        after = dict(before, exists=True)
        created = False
        if table is None:
            create = "create lock table %s in %s (hash key LockID, on-demand, encrypted)" % (self.table, self.region)
            self.changes.append(create)
            if self.check_mode:
                after.update(self._wanted_table_settings({}))
                return before, after, False
            created = self._create_table()
            if not created:
                self.changes.remove(create)  # another run created it meanwhile
            table = self._describe_table()
            if table is None:  # deleted again in between: nothing sensible left to do
                raise AwsError("creating lock table %s: the table vanished right after creation; retry" % self.table)
        table = self._active_table(table)
        self._check_key_schema(table)
        current = self._table_settings(table)
        wanted = self._wanted_table_settings(current)
        if not created:
            before.update(current)
        after.update(wanted)
        for key in sorted(wanted):
            if current.get(key) == wanted[key]:
                continue
            if not created:
                self.changes.append("lock table %s: %s %s -> %s" % (self.table, key, _show(current.get(key)),
                                                                    _show(wanted[key])))
            else:
                self.changes.append("lock table %s: set %s to %s" % (self.table, key, _show(wanted[key])))
            if not self.check_mode:
                self._apply_table_setting(key, wanted[key], table)
        return before, after, created

    # ----------------------------------------------------------------- absent

    def _object_versions(self):
        """Every object version and delete marker in the bucket, as delete_objects identifiers."""
        found = []
        kwargs = {"Bucket": self.bucket}
        while True:
            page = self.call(self.s3, "list_object_versions", "listing the objects of", "bucket %s" % self.bucket,
                             **kwargs)
            for item in (page.get("Versions") or []) + (page.get("DeleteMarkers") or []):
                found.append({"Key": item["Key"], "VersionId": item.get("VersionId") or "null"})
            if not page.get("IsTruncated"):
                return found
            kwargs = {"Bucket": self.bucket, "KeyMarker": page.get("NextKeyMarker"),
                      "VersionIdMarker": page.get("NextVersionIdMarker")}

    def _purge_bucket(self, versions):
        for start in range(0, len(versions), _DELETING_PURGE_BATCH):
            batch = versions[start:start + _DELETING_PURGE_BATCH]
            answer = self.call(self.s3, "delete_objects", "deleting the objects of", "bucket %s" % self.bucket,
                               Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                raise AwsError("deleting the objects of bucket %s: %d object(s) not deleted, first %s: %s: %s"
                               % (self.bucket, len(errors), first.get("Key"), first.get("Code"), first.get("Message")))

    def _delete_bucket(self, versions):
        if versions:
            # A Deny in the policy (ours included, on endpoints that evaluate it without context)
            # could block the purge; the bucket goes away anyway and force asked for exactly that.
            self.call(self.s3, "delete_bucket_policy", "removing the policy of", "bucket %s" % self.bucket,
                      missing=("NoSuchBucketPolicy",) + tuple(_NOT_IMPLEMENTED), Bucket=self.bucket)
        self._purge_bucket(versions)
        for attempt in range(3):
            try:
                self.s3.delete_bucket(Bucket=self.bucket)
                return
            except _BOTO_ERRORS as exc:
                code = error_code(exc)
                if code in _BUCKET_MISSING:
                    return
                if code != "BucketNotEmpty" or attempt == 2:
                    raise aws_error(exc, "deleting", "bucket %s" % self.bucket, self.conn.endpoint_url)
            self._purge_bucket(self._object_versions())  # something wrote while we purged

    def _delete_table(self):
        for attempt in range(10):
            try:
                self.ddb.delete_table(TableName=self.table)
                break
            except _BOTO_ERRORS as exc:
                code = error_code(exc)
                if code in _TABLE_MISSING:
                    return
                if code not in _DDB_BUSY or attempt == 9:
                    raise aws_error(exc, "deleting", "lock table %s" % self.table, self.conn.endpoint_url)
                self._wait_table("table_exists", "waiting for")  # still being created or updated
        self._wait_table("table_not_exists", "waiting for the deletion of")

    def _absent(self):
        bucket_exists = self._bucket_region() is not None
        table_exists = bool(self.table) and self._describe_table() is not None
        versions = self._object_versions() if bucket_exists else []
        if versions and not self.params["force"]:
            # Refused before anything is deleted, the lock table included.
            raise InputError("bucket %s holds %d object version(s) (terraform state); refusing to delete it: set "
                             "force: true to delete the bucket with every object and version in it"
                             % (self.bucket, len(versions)), option="force")
        if bucket_exists:
            self.changes.append("delete bucket %s%s" % (
                self.bucket, " with its %d object version(s)" % len(versions) if versions else ""))
        if table_exists:
            self.changes.append("delete lock table %s" % self.table)
        if not self.check_mode:
            # The bucket goes first: a failure there leaves the state still locked-capable.
            if bucket_exists:
                self._delete_bucket(versions)
            if table_exists:
                self._delete_table()
        result = dict(changed=bool(self.changes), changes=self.changes, bucket_created=False, table_created=False,
                      backend_config={}, warnings=[])
        if self.diff:
            before = {"bucket": {"name": self.bucket, "exists": bucket_exists, "object_versions": len(versions)}}
            after = {"bucket": {"name": self.bucket, "exists": False}}
            if self.table:
                before["lock_table"] = {"name": self.table, "exists": table_exists}
                after["lock_table"] = {"name": self.table, "exists": False}
            result["diff"] = {"before": before, "after": after}
        return result


def _disable_hint(feature):
    return {"versioning": "versioning: false", "encryption": "encryption to what the endpoint supports",
            "block_public_access": "block_public_access: false", "enforce_tls": "enforce_tls: false",
            "access_log_bucket": "no access_log_bucket", "tags": "no tags",
            "noncurrent_version_expiration_days": "no noncurrent_version_expiration_days",
            "point_in_time_recovery": "point_in_time_recovery: false"}.get(feature, feature)


def _drop_none(mapping):
    return dict((key, value) for key, value in mapping.items() if value is not None)


def ensure_state_backend(params, connection=None, check_mode=False, diff=False):
    """Ensure (or remove) the backend described by validated module ``params``; returns the module result."""
    return StateBackend(params, connection=connection, check_mode=check_mode, diff=diff).run()
