# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A unit's outputs read straight from its state: one S3 GetObject, no terraform process.

Used when a dependency's outputs are needed but the dependency does not run (``--limit``, a
warm no-op deploy): ``terraform output`` would cost an init and a provider-less process per
dependency, while the state object already holds the outputs in plain JSON.

Outputs come back as terraform keeps them: ``{name: {"value": v, "sensitive": bool, "type": t}}``.
"""
from __future__ import annotations

import base64
import binascii
import json
import os

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import (
    AwsConnection, aws_error, error_code)
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import (
    AwsError, GroundworkError, InputError)

try:
    import botocore.exceptions
except ImportError:  # pragma: no cover - AwsConnection reports boto3 missing
    botocore = None

SENSITIVE_MASK = "<sensitive>"
DEFAULT_WORKSPACE = "default"
DEFAULT_WORKSPACE_KEY_PREFIX = "env:"
_MISSING_KEY_CODES = {"NoSuchKey", "404", "NotFound"}


class StateError(GroundworkError):
    """A state object or file exists but is not a terraform state we can read."""


def state_key(key, workspace=None, workspace_key_prefix=None):
    """The S3 key of a workspace's state, as terraform's S3 backend names it."""
    if not workspace or workspace == DEFAULT_WORKSPACE:
        return key
    prefix = workspace_key_prefix if workspace_key_prefix is not None else DEFAULT_WORKSPACE_KEY_PREFIX
    return "%s/%s/%s" % (prefix, workspace, key) if prefix else "%s/%s" % (workspace, key)


def s3_endpoint(backend):
    """The S3 endpoint a backend config points at, in any of the spellings terraform has used."""
    endpoints = backend.get("endpoints") or {}
    return endpoints.get("s3") or backend.get("endpoint") or backend.get("endpoint_url") or None


def connection_for(backend):
    """An AwsConnection for the backend: its region, S3 endpoint and credentials, else the environment's."""
    base = AwsConnection(region=backend.get("region"), profile=backend.get("profile"),
                         access_key=backend.get("access_key"), secret_key=backend.get("secret_key"),
                         session_token=backend.get("token"), endpoint_url=s3_endpoint(backend))
    role = backend.get("assume_role") or {}
    role_arn = role.get("role_arn") or backend.get("role_arn")
    if not role_arn:
        return base
    endpoints = backend.get("endpoints") or {}
    sts_endpoint = endpoints.get("sts") or backend.get("sts_endpoint") or base.endpoint_url
    kwargs = {"RoleArn": role_arn,
              "RoleSessionName": role.get("session_name") or backend.get("session_name") or "groundwork"}
    if role.get("external_id") or backend.get("external_id"):
        kwargs["ExternalId"] = role.get("external_id") or backend.get("external_id")
    try:
        creds = base.client("sts", endpoint_url=sts_endpoint).assume_role(**kwargs)["Credentials"]
    except Exception as exc:  # botocore's errors, turned into one line
        raise aws_error(exc, "assuming role", role_arn, sts_endpoint)
    return AwsConnection(region=base.region, access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"],
                         session_token=creds["SessionToken"], endpoint_url=base.endpoint_url)


def _customer_key_args(backend):
    """SSE-C arguments when the state is encrypted with a customer key (terraform's sse_customer_key)."""
    key = backend.get("sse_customer_key") or os.environ.get("AWS_SSE_CUSTOMER_KEY")
    if not key:
        return {}
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("sse_customer_key is not base64: give the base64 encoding of a 256-bit key",
                         option="sse_customer_key")
    # boto3 base64-encodes the key and adds its MD5 itself.
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": raw}


def read_state_outputs(backend, connection=None, workspace=None):
    """Outputs of the state at ``backend`` (an S3 backend config with ``key``), or None when it has no state.

    ``connection`` (an AwsConnection) overrides the one made from the backend's region, S3
    endpoint and credentials (the standard AWS environment fills in the rest).
    """
    if not isinstance(backend, dict):
        raise InputError("backend must be a dict like state_backend's backend_config plus key, got %s"
                         % type(backend).__name__, option="backend")
    bucket, key = backend.get("bucket"), backend.get("key")
    if not bucket or not key:
        raise InputError("backend needs bucket and key to read a state (got bucket=%r, key=%r)" % (bucket, key),
                         option="backend")
    key = state_key(key, workspace, backend.get("workspace_key_prefix"))
    where = "s3://%s/%s" % (bucket, key)
    customer_key = _customer_key_args(backend)
    connection = connection or connection_for(backend)
    try:
        answer = connection.client("s3", region=backend.get("region")).get_object(
            Bucket=bucket, Key=key, **customer_key)
        body = answer["Body"].read()
    except Exception as exc:  # botocore's errors, sorted below into "no state" and one-line failures
        if botocore is not None and isinstance(exc, botocore.exceptions.ClientError):
            code = error_code(exc)
            if code in _MISSING_KEY_CODES:
                return None
            if code in ("AccessDenied", "403"):
                error = aws_error(exc, "reading state", where, connection.endpoint_url)
                # S3 answers 403, not 404, for a missing key when the reader may not s3:ListBucket.
                raise AwsError(error.message + "; S3 also answers this for a missing key when s3:ListBucket "
                               "is not allowed", **error.details)
        raise aws_error(exc, "reading state", where, connection.endpoint_url)
    return outputs_from_state_text(body, where)


def read_local_state_outputs(path):
    """Outputs of a local terraform.tfstate file, or None when there is none."""
    try:
        with open(path, "rb") as handle:
            body = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError("cannot read state file %s: %s" % (path, exc.strerror or exc))
    return outputs_from_state_text(body, path)


def outputs_from_state_text(body, where):
    """Outputs from the bytes of a state; None for an empty object (terraform treats it as no state)."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise StateError("the state at %s is not UTF-8 text; is it a terraform state?" % where)
    if not body.strip():
        return None
    try:
        state = json.loads(body)
    except ValueError as exc:
        raise StateError("the state at %s is not valid JSON (%s); is the key right and the object a terraform "
                         "state?" % (where, exc))
    return outputs_from_state(state, where)


def outputs_from_state(state, where="state"):
    """Outputs of a parsed state (format version 4, written by terraform >= 0.12 and OpenTofu)."""
    if not isinstance(state, dict) or "version" not in state:
        raise StateError("the object at %s is JSON but not a terraform state (no version); is the key right?"
                         % where)
    if state.get("version") != 4:
        raise StateError("the state at %s has format version %r; only version 4 (terraform >= 0.12) is "
                         "supported: upgrade it by running terraform once" % (where, state.get("version")))
    outputs = state.get("outputs") or {}
    if not isinstance(outputs, dict):
        raise StateError("the state at %s has outputs that are not an object" % where)
    return dict((name, {"value": out.get("value"), "sensitive": bool(out.get("sensitive")), "type": out.get("type")})
                for name, out in outputs.items() if isinstance(out, dict))


def outputs_values(outputs):
    """Plain ``{name: value}`` of outputs, sensitive ones included (mask with masked_values for display)."""
    return dict((name, out.get("value")) for name, out in (outputs or {}).items())


def masked_values(outputs, reveal_sensitive=False):
    """``{name: value}`` with sensitive values replaced by ``<sensitive>`` unless reveal_sensitive."""
    return dict((name, out.get("value") if reveal_sensitive or not out.get("sensitive") else SENSITIVE_MASK)
                for name, out in (outputs or {}).items())
