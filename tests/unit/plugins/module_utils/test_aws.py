from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AwsConnection, aws_error


def client_error(code, message="boom", status=400):
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize("code, expected", [
    ("AccessDenied", "access denied"),
    ("403", "access denied"),
    ("PermanentRedirect", "wrong region"),
    ("NoSuchBucket", "NoSuchBucket: boom"),
])
def test_client_errors_become_one_clear_line(code, expected):
    err = aws_error(client_error(code), "reading", "bucket b")
    assert expected in err.message
    assert err.message.startswith("reading bucket b:")
    assert "\n" not in err.message


def test_unreachable_endpoint_is_named():
    exc = botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    err = aws_error(exc, "creating", "bucket b", endpoint_url="http://127.0.0.1:9")
    assert "unreachable at http://127.0.0.1:9" in err.message


def test_credentials_go_to_env_never_argv():
    conn = AwsConnection(region="eu-west-1", access_key="AK", secret_key="SK", session_token="ST")
    assert conn.credentials_env() == {"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK",
                                      "AWS_SESSION_TOKEN": "ST", "AWS_REGION": "eu-west-1"}


def test_endpoint_switches_s3_to_path_style(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    conn = AwsConnection(region="us-east-1", access_key="a", secret_key="b", endpoint_url="http://127.0.0.1:1")
    assert conn.client("s3").meta.config.s3 == {"addressing_style": "path"}
    assert AwsConnection(region="us-east-1", access_key="a", secret_key="b").client("s3").meta.config.s3 in (None, {})
