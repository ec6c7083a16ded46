"""remote_state: outputs read from a real terraform state, in S3 (moto server over HTTP) or on disk."""
from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import threading
import urllib.parse

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AwsConnection
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.remote_state import (
    StateError, masked_values, outputs_values, read_local_state_outputs, read_state_outputs, state_key)
from support.tf_state import SAMPLE_OUTPUTS, applied_state

KEY = "dev/us-east-1/network/terraform.tfstate"

pytestmark = pytest.mark.terraform  # the states read back are made by a real terraform apply


@pytest.fixture(scope="module")
def state_file(terraform_bin, tmp_path_factory):
    return applied_state(terraform_bin, tmp_path_factory.getbasetemp())


@pytest.fixture
def bucket(boto_clients, unique_name):
    name = unique_name("state")
    boto_clients("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def backend(bucket, local_aws):
    """What state_backend's backend_config returns for a local endpoint, plus the key."""
    return {"bucket": bucket, "region": "us-east-1", "encrypt": True, "use_lockfile": True, "key": KEY,
            "endpoints": {"s3": local_aws, "dynamodb": local_aws, "sts": local_aws}, "use_path_style": True}


class Recorder:
    """A loopback HTTP server that forwards to moto, or answers ``fault`` (status, code), recording requests."""

    def __init__(self, upstream, fault=None):
        upstream = urllib.parse.urlparse(upstream)
        self.requests = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                recorder.requests.append((self.command, self.path, dict(self.headers.items())))
                if fault:
                    payload = ("<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>denied by "
                               "test</Message></Error>" % fault[1]).encode()
                    status, headers = fault[0], [("Content-Type", "application/xml")]
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
                    conn.request(self.command, self.path, body=body,
                                 headers=dict((k, v) for k, v in self.headers.items() if k.lower() != "connection"))
                    answer = conn.getresponse()
                    payload, status = answer.read(), answer.status
                    headers = [(k, v) for k, v in answer.getheaders()
                               if k.lower() not in ("connection", "transfer-encoding", "content-length")]
                    conn.close()
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_GET

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def put(boto_clients, bucket, key, body, **extra):
    boto_clients("s3").put_object(Bucket=bucket, Key=key, Body=body, **extra)


# --------------------------------------------------------------------------- reading a real state

def test_outputs_of_a_real_terraform_state_in_s3(boto_clients, backend, state_file, monkeypatch):
    put(boto_clients, backend["bucket"], KEY, state_file.read_bytes())
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # the backend's endpoints.s3 alone must lead there
    outputs = read_state_outputs(backend)
    assert outputs_values(outputs) == SAMPLE_OUTPUTS
    assert {name: out["sensitive"] for name, out in outputs.items()} == {
        "vpc_id": False, "subnet_ids": False, "settings": False, "db_password": True}
    assert outputs["vpc_id"]["type"] == "string"
    assert outputs["subnet_ids"]["type"] == ["tuple", ["string", "string"]]
    assert outputs["settings"]["type"] == ["object", {"azs": "number", "cidr": "string"}]
    assert masked_values(outputs)["db_password"] == "<sensitive>"
    assert masked_values(outputs)["vpc_id"] == "vpc-0abc"
    assert masked_values(outputs, reveal_sensitive=True) == SAMPLE_OUTPUTS


def test_one_get_object_and_nothing_else(boto_clients, backend, state_file, local_aws):
    put(boto_clients, backend["bucket"], KEY, state_file.read_bytes())
    with Recorder(local_aws) as proxy:
        outputs = read_state_outputs(dict(backend, endpoints={"s3": proxy.url}))
    assert outputs_values(outputs)["vpc_id"] == "vpc-0abc"
    assert [(method, path) for method, path, _ in proxy.requests] == [("GET", "/%s/%s" % (backend["bucket"], KEY))]


def test_a_given_connection_is_used(boto_clients, backend, state_file, local_aws, monkeypatch):
    put(boto_clients, backend["bucket"], KEY, state_file.read_bytes())
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    with Recorder(local_aws) as proxy:
        conn = AwsConnection(region="us-east-1", access_key="AKIDGIVEN", secret_key="x", endpoint_url=proxy.url)
        outputs = read_state_outputs(dict(backend, endpoints={"s3": "http://127.0.0.1:9"}), connection=conn)
    assert outputs_values(outputs) == SAMPLE_OUTPUTS
    assert "Credential=AKIDGIVEN/" in proxy.requests[0][2]["Authorization"]


def test_backend_assume_role_reads_with_the_role_credentials(boto_clients, backend, state_file, local_aws):
    put(boto_clients, backend["bucket"], KEY, state_file.read_bytes())
    with Recorder(local_aws) as proxy:
        role = {"role_arn": "arn:aws:iam::123456789012:role/state-reader", "session_name": "reader"}
        outputs = read_state_outputs(dict(backend, endpoints={"s3": proxy.url, "sts": local_aws}, assume_role=role))
    assert outputs_values(outputs)["vpc_id"] == "vpc-0abc"
    headers = proxy.requests[0][2]
    assert "Credential=test/" not in headers["Authorization"]  # the role's temporary key, not the environment's
    assert headers.get("X-Amz-Security-Token")


@pytest.mark.parametrize("workspace, prefix, key", [
    (None, None, KEY),
    ("default", None, KEY),
    ("staging", None, "env:/staging/" + KEY),
    ("staging", "workspaces", "workspaces/staging/" + KEY),
])
def test_workspace_keys_follow_terraform(workspace, prefix, key):
    assert state_key(KEY, workspace, prefix) == key


def test_non_default_workspace_reads_its_own_object(boto_clients, backend, state_file):
    put(boto_clients, backend["bucket"], "tenants/blue/" + KEY, state_file.read_bytes())
    assert read_state_outputs(backend, workspace="blue") is None  # env:/blue/... does not exist
    outputs = read_state_outputs(dict(backend, workspace_key_prefix="tenants"), workspace="blue")
    assert outputs_values(outputs)["vpc_id"] == "vpc-0abc"


def test_state_encrypted_with_a_customer_key(boto_clients, backend, state_file):
    key = os.urandom(32)
    put(boto_clients, backend["bucket"], KEY, state_file.read_bytes(), SSECustomerAlgorithm="AES256",
        SSECustomerKey=key)
    outputs = read_state_outputs(dict(backend, sse_customer_key=base64.b64encode(key).decode()))
    assert outputs_values(outputs)["vpc_id"] == "vpc-0abc"
    with pytest.raises(InputError, match="sse_customer_key is not base64"):
        read_state_outputs(dict(backend, sse_customer_key="not base64!"))


def test_after_destroy_the_state_has_no_outputs(boto_clients, backend):
    put(boto_clients, backend["bucket"], KEY, json.dumps(
        {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x", "outputs": {}, "resources": []}))
    assert read_state_outputs(backend) == {}


# --------------------------------------------------------------------------- no state, bad state, failures

def test_missing_key_means_no_state(backend):
    assert read_state_outputs(backend) is None


def test_empty_object_means_no_state(boto_clients, backend):
    put(boto_clients, backend["bucket"], KEY, b"")
    assert read_state_outputs(backend) is None


def test_missing_bucket_is_an_error_not_missing_state(backend, unique_name):
    gone = unique_name("gone")
    with pytest.raises(AwsError) as caught:
        read_state_outputs(dict(backend, bucket=gone))
    assert caught.value.message.startswith("reading state s3://%s/%s: NoSuchBucket" % (gone, KEY))
    assert caught.value.details["aws_error_code"] == "NoSuchBucket"


@pytest.mark.parametrize("body, message", [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00binary", "is not UTF-8 text"),
    (b'{"hello": "world"}', "is JSON but not a terraform state"),
    (b'{"version": 3, "modules": []}', "has format version 3"),
])
def test_a_bad_state_object_is_one_clear_error_naming_it(boto_clients, backend, body, message):
    put(boto_clients, backend["bucket"], KEY, body)
    with pytest.raises(StateError) as caught:
        read_state_outputs(backend)
    assert message in caught.value.message
    assert "s3://%s/%s" % (backend["bucket"], KEY) in caught.value.message
    assert "\n" not in caught.value.message


def test_access_denied_is_one_clear_line(backend, local_aws):
    with Recorder(local_aws, fault=(403, "AccessDenied")) as proxy:
        with pytest.raises(AwsError) as caught:
            read_state_outputs(dict(backend, endpoints={"s3": proxy.url}))
    message = caught.value.message
    assert message.startswith("reading state s3://%s/%s: access denied (AccessDenied: denied by test)"
                              % (backend["bucket"], KEY))
    assert "s3:ListBucket" in message and "\n" not in message
    assert len(proxy.requests) == 1  # a denial is not retried


def test_unreachable_endpoint_is_one_clear_line(backend, monkeypatch):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(AwsError) as caught:
        read_state_outputs(dict(backend, endpoints={"s3": "http://127.0.0.1:%d" % port}))
    assert "AWS endpoint unreachable at http://127.0.0.1:%d" % port in caught.value.message


@pytest.mark.parametrize("given", [None, "bucket/key", {"bucket": "b"}, {"key": "k"}])
def test_backend_without_bucket_or_key_is_refused(given):
    with pytest.raises(InputError, match="backend"):
        read_state_outputs(given)


# --------------------------------------------------------------------------- local state

def test_local_state_file(state_file, tmp_path):
    outputs = read_local_state_outputs(str(state_file))
    assert outputs_values(outputs) == SAMPLE_OUTPUTS
    assert outputs["db_password"]["sensitive"] is True
    assert read_local_state_outputs(str(tmp_path / "terraform.tfstate")) is None
    (tmp_path / "terraform.tfstate").write_text("garbage")
    with pytest.raises(StateError, match="the state at %s is not valid JSON" % (tmp_path / "terraform.tfstate")):
        read_local_state_outputs(str(tmp_path / "terraform.tfstate"))
