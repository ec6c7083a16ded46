"""The test endpoint sends each response in one write (tools/moto_one_write.py).

Two writes (werkzeug's own: headers, then body) let terraform's AWS SDK close the connection
between them and resend a PutItem that had succeeded: terraform then finds its own state lock
held (hashicorp/terraform#16630). Counted on moto's real WSGI app, with and without the fix.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[3] / "tools"

# Serves moto's app with moto_server's handler in this process, counts the server's socket
# sends per response for a ListBuckets and a DynamoDB PutItem, prints them as JSON.
COUNT_SENDS = r"""
import http.client, json, socket, sys, threading
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "fixed":
    import moto_one_write  # noqa: F401  (patches the handler on import)
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

sends = []
for method in ("send", "sendall"):
    real = getattr(socket.socket, method)
    def counting(self, data, *args, _real=real, **kwargs):
        if threading.current_thread().name != "MainThread":
            sends.append(len(data))
        return _real(self, data, *args, **kwargs)
    setattr(socket.socket, method, counting)

server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=True,
                     request_handler=MotoRequestHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
counts = {}
auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/%s/aws4_request, SignedHeaders=host, Signature=x"
requests = {
    "ListBuckets": ("GET", "/", None, {"Authorization": auth % "s3"}),
    "CreateTable": ("POST", "/", json.dumps({"TableName": "locks", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}]}),
        {"Authorization": auth % "dynamodb", "X-Amz-Target": "DynamoDB_20120810.CreateTable",
         "Content-Type": "application/x-amz-json-1.0"}),
    "PutItem": ("POST", "/", json.dumps({"TableName": "locks", "Item": {"LockID": {"S": "k"}},
        "ConditionExpression": "attribute_not_exists(LockID)"}),
        {"Authorization": auth % "dynamodb", "X-Amz-Target": "DynamoDB_20120810.PutItem",
         "Content-Type": "application/x-amz-json-1.0"}),
}
for name, (method, path, body, headers) in requests.items():
    del sends[:]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    counts[name] = {"status": response.status, "sends": len(sends), "body": len(payload)}
server.shutdown()
print(json.dumps(counts))
"""


def sends_per_response(variant):
    out = subprocess.run([sys.executable, "-c", COUNT_SENDS, str(TOOLS), variant], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("variant, sends", [("stock", 2), ("fixed", 1)])
def test_each_response_goes_in_one_write_with_the_fix_and_in_two_without(variant, sends):
    counts = sends_per_response(variant)
    for name, seen in counts.items():
        assert seen["status"] == 200 and seen["body"] > 0, (name, seen)
        assert seen["sends"] == sends, (variant, name, seen)


def test_the_endpoint_the_tests_and_make_local_start_is_the_one_write_server(tmp_path):
    import local_endpoint
    port = local_endpoint.free_port()
    proc = local_endpoint.start_moto(port, tmp_path / "moto.log")
    try:
        local_endpoint.wait_until_healthy("http://127.0.0.1:%d" % port, proc)
        argv = Path("/proc/%d/cmdline" % proc.pid).read_bytes().split(b"\0")
        assert argv[1].endswith(b"tools/moto_one_write.py"), argv
    finally:
        local_endpoint.stop_pid(proc.pid)
