# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS connection options, boto3 clients and AWS errors as one clear line.

Shared by modules, lookups and the inventory plugin, which is why this is plain boto3
rather than amazon.aws's AnsibleAWSModule (that only serves modules). Emulated endpoints
(LocalStack, moto) are ordinary: ``endpoint_url`` switches S3 to path-style addressing.
"""
from __future__ import annotations

import os
import threading

try:
    import boto3
    import botocore.config
    import botocore.exceptions
    import botocore.session
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module as missing_required_lib
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = exc

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError

# Argument spec fragment for every plugin that talks to AWS (doc fragment: groundwork.terraform.aws).
AWS_CONNECTION_SPEC = dict(
    region=dict(type="str", aliases=["aws_region"]),
    profile=dict(type="str", aliases=["aws_profile"]),
    access_key=dict(type="str", aliases=["aws_access_key_id"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"]),
)

# Codes that mean "you may not", never "it does not exist".
_DENIED = {"AccessDenied", "AccessDeniedException", "403", "Forbidden", "AllAccessDisabled",
           "UnauthorizedOperation", "InvalidAccessKeyId", "SignatureDoesNotMatch",
           "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"}
_WRONG_REGION = {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}


# Each botocore session loads and parses the service models (JSON) again: 0.35-0.45 s for four
# clients in separate sessions against 0.09 s sharing one loader (measured). Connections differ
# in credentials, so they get sessions of their own, all sharing this process's loader.
_LOADER = None
_LOADER_LOCK = threading.Lock()


def _boto3_session(**kwargs):
    """A boto3 session of its own whose botocore session shares the process's model loader."""
    global _LOADER
    core = botocore.session.get_session()
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = core.get_component("data_loader")
        else:
            core.register_component("data_loader", _LOADER)
        session = boto3.session.Session(botocore_session=core, **kwargs)
        # boto3 appends its data dir to the loader's search paths once per session: keep one
        paths = _LOADER.search_paths
        paths[:] = [path for index, path in enumerate(paths) if path not in paths[:index]]
    core.get_scoped_config()  # a missing profile fails here, as a session with its own loader does
    return session


class AwsConnection:
    """Connection settings resolved from options, then the standard AWS environment."""

    def __init__(self, region=None, profile=None, access_key=None, secret_key=None,
                 session_token=None, endpoint_url=None):
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self.profile = profile
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self._session = None
        self._clients = {}

    @classmethod
    def from_params(cls, params):
        return cls(**{key: params.get(key) for key in AWS_CONNECTION_SPEC})

    def session(self):
        if self._session is None:
            kwargs = {"region_name": self.region}
            if self.profile:
                kwargs["profile_name"] = self.profile
            if self.access_key or self.secret_key:
                kwargs.update(aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                              aws_session_token=self.session_token)
            try:
                self._session = _boto3_session(**kwargs)
            except botocore.exceptions.ProfileNotFound as exc:
                profile = self.profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
                raise AwsError("AWS profile %r not found: %s; check profile (or AWS_PROFILE) and ~/.aws/config"
                               % (profile, exc))
        return self._session

    def client(self, service, region=None, endpoint_url=None):
        """A client of this connection's session; ``endpoint_url`` overrides the connection's for
        one service (a backend's own STS endpoint) without a second session."""
        endpoint_url = endpoint_url or self.endpoint_url
        key = (service, region or self.region, endpoint_url)
        if key not in self._clients:
            config = botocore.config.Config(
                # read AWS_MAX_ATTEMPTS ourselves: an explicit retries config would override it
                retries={"mode": "standard", "max_attempts": _max_attempts()},
                connect_timeout=10, read_timeout=60,
                s3={"addressing_style": "path"} if endpoint_url else {},
            )
            self._clients[key] = self.session().client(
                service, region_name=region or self.region, endpoint_url=endpoint_url, config=config)
        return self._clients[key]

    def credentials_env(self):
        """Environment variables handing these credentials to a child process (never argv)."""
        env = {}
        if self.profile:
            env["AWS_PROFILE"] = self.profile
        if self.access_key:
            env["AWS_ACCESS_KEY_ID"] = self.access_key
        if self.secret_key:
            env["AWS_SECRET_ACCESS_KEY"] = self.secret_key
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        if self.region:
            env["AWS_REGION"] = self.region
        return env


def _max_attempts(default=6):
    try:
        return max(1, int(os.environ.get("AWS_MAX_ATTEMPTS") or default))
    except ValueError:
        return default


def error_code(exc):
    """The AWS error code of a botocore ClientError (HTTP status as a string when missing)."""
    response = getattr(exc, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    if not code:
        code = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return code


def aws_error(exc, action, resource, endpoint_url=None):
    """Turn any boto3/botocore exception into an AwsError with one clear line."""
    where = " at %s" % endpoint_url if endpoint_url else ""
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return AwsError("%s %s: AWS endpoint unreachable%s (%s); check endpoint_url and the network"
                        % (action, resource, where, exc))
    if HAS_BOTO3 and isinstance(exc, (botocore.exceptions.NoCredentialsError,
                                      botocore.exceptions.PartialCredentialsError)):
        return AwsError("%s %s: no AWS credentials found; set access_key/secret_key or profile, "
                        "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_PROFILE" % (action, resource))
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        text = exc.response.get("Error", {}).get("Message") or str(exc)
        if code in _DENIED:
            return AwsError("%s %s: access denied (%s: %s); the credentials in use may not do this, "
                            "or the resource belongs to another account" % (action, resource, code, text),
                            aws_error_code=code)
        if code in _WRONG_REGION:
            return AwsError("%s %s: wrong region (%s: %s); set region to the resource's region"
                            % (action, resource, code, text), aws_error_code=code)
        return AwsError("%s %s: %s: %s" % (action, resource, code, text), aws_error_code=code)
    return AwsError("%s %s: %s" % (action, resource, exc))
