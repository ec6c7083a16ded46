# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Before any terraform runs: can these credentials reach each state backend at all?

Without it, missing or wrong credentials surface unit by unit as terraform init errors (a
403 with no body, "No valid credential sources found"), after some units already ran. Two
cheap calls per distinct backend instead: STS GetCallerIdentity (needs no permission, so
it fails only for missing, wrong or expired credentials) and S3 HeadBucket on the state
bucket (missing bucket, access denied, wrong region). Each failure is one line.
"""
from __future__ import annotations

import json

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import aws_error, error_code
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError
from ansible_collections.groundwork.terraform.plugins.module_utils.remote_state import connection_for, s3_endpoint

# Codes meaning "these credentials are not valid", as opposed to "valid but not allowed".
CREDENTIAL_CODES = frozenset((
    "InvalidClientTokenId", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
    "UnrecognizedClientException", "AuthFailure", "InvalidToken", "TokenRefreshRequired"))
FIX_CREDENTIALS = ("check AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (a session "
                   "token may have expired)")


def _sts_endpoint(backend):
    endpoints = backend.get("endpoints") or {}
    return endpoints.get("sts") or backend.get("sts_endpoint") or s3_endpoint(backend)


def _identity_key(backend):
    role = backend.get("assume_role") or {}
    return json.dumps([backend.get("bucket"), backend.get("region"), s3_endpoint(backend), _sts_endpoint(backend),
                       backend.get("profile"), backend.get("access_key"), role.get("role_arn") or backend.get("role_arn")])


def check_backend(backend):
    """``{"bucket", "arn", "account"}`` when the credentials reach the backend's bucket; else AwsError."""
    bucket = backend.get("bucket")
    what = "state bucket %s" % bucket
    try:
        connection = connection_for(backend)  # assumes the backend's role when it names one
    except AwsError as exc:
        raise AwsError("AWS credentials check for %s failed: %s" % (what, exc.message), **exc.details)
    sts_endpoint = _sts_endpoint(backend)
    try:  # the same session: a second one costs ~0.1 s of every stack run
        identity = connection.client("sts", endpoint_url=sts_endpoint).get_caller_identity()
    except Exception as exc:  # botocore's errors, one line each
        raise _credentials_error(exc, "STS GetCallerIdentity", what, sts_endpoint or connection.endpoint_url)
    try:
        connection.client("s3", region=backend.get("region")).head_bucket(Bucket=bucket)
    except Exception as exc:  # botocore's errors, one line each
        code = error_code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            raise AwsError("%s does not exist (region %s%s); bootstrap it first: ansible-playbook "
                           "groundwork.terraform.bootstrap -i <inventory>"
                           % (what, backend.get("region"), _at(connection.endpoint_url)), aws_error_code=code)
        if code in ("403", "AccessDenied", "Forbidden"):
            raise AwsError("access denied to %s for %s%s (HeadBucket 403): the credentials are valid but may not "
                           "use this bucket, or a bucket policy denies them"
                           % (what, identity.get("Arn"), _at(connection.endpoint_url)), aws_error_code=code)
        raise _credentials_error(exc, "HeadBucket", what, connection.endpoint_url)
    return {"bucket": bucket, "arn": identity.get("Arn"), "account": identity.get("Account")}


def check_backends(backends):
    """Check each distinct backend (bucket, endpoint, credentials) once; returns the identities."""
    checked, seen = [], set()
    for backend in backends:
        if not backend or not backend.get("bucket"):
            continue
        key = _identity_key(backend)
        if key in seen:
            continue
        seen.add(key)
        checked.append(check_backend(backend))
    return checked


def _at(endpoint_url):
    return " at %s" % endpoint_url if endpoint_url else ""


def _credentials_error(exc, action, what, endpoint_url):
    code = error_code(exc)
    if code in CREDENTIAL_CODES:
        text = (getattr(exc, "response", None) or {}).get("Error", {}).get("Message") or code
        return AwsError("AWS credentials refused by %s for %s%s (%s: %s); %s"
                        % (action, what, _at(endpoint_url), code, text, FIX_CREDENTIALS), aws_error_code=code)
    error = aws_error(exc, "AWS credentials check (%s) for" % action, what, endpoint_url)
    return AwsError(error.message, **error.details)
