"""groundwork.terraform.unit against real terraform and a real S3/DynamoDB API (moto server).

Most cases drive module_utils' UnitRunner directly (the module is a thin face over it); the
cases about Ansible itself (check mode, diff, no_log, the process list) go through
ansible-playbook.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import (
    InputError, LockHeldError, TerraformError)
from ansible_collections.groundwork.terraform.plugins.module_utils.unit import UnitRunner, UnitSpec
from support.ansible_run import run_playbook

pytestmark = pytest.mark.terraform

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "modules"
DATA = str(FIXTURES / "data_chain")
SECRETS = str(FIXTURES / "secrets")


@pytest.fixture
def state_store(boto_clients, unique_name, local_aws):
    """A state bucket and DynamoDB lock table made through the API; yields a backend dict."""
    bucket, table = unique_name("state"), unique_name("lock")
    boto_clients("s3").create_bucket(Bucket=bucket)
    boto_clients("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])
    return {"bucket": bucket, "region": "us-east-1", "dynamodb_table": table, "encrypt": True,
            "endpoints": {"s3": local_aws, "dynamodb": local_aws, "sts": local_aws}}


@pytest.fixture
def unit(tmp_path, aws_env, terraform_bin):
    """Run a unit: unit(name=..., **options) -> result dict."""
    def run(check_mode=False, diff=False, **options):
        options.setdefault("name", "app")
        options.setdefault("source", DATA)
        options.setdefault("work_dir", str(tmp_path / "work" / options["name"]))
        options.setdefault("plugin_cache_dir", str(tmp_path / "plugin-cache"))
        runner = UnitRunner(UnitSpec(**options), check_mode=check_mode, diff=diff)
        result = runner.run()
        result["_secrets"] = result.secrets
        return result
    return run


def state_object(boto_clients, bucket, key):
    body = boto_clients("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return json.loads(body)


def test_apply_is_idempotent_and_changes_follow_inputs(unit, state_store, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/app/terraform.tfstate")
    first = unit(backend=backend, inputs={"name": "one"})
    assert first["changed"] is True
    assert first["plan"]["add"] == 1 and first["applied"]["add"] == 1
    assert first["outputs"]["chain"] == ["one"]
    assert first["init"] == "ran"

    second = unit(backend=backend, inputs={"name": "one"})
    assert second["changed"] is False
    assert second["init"] == "skipped"
    # a no-op run of an initialised unit: the plan, nothing else; outputs from the state in the plan file
    assert second["terraform_processes"] == 1, second["terraform_commands"]
    assert second["outputs_from"] == "plan"
    assert second["outputs"] == first["outputs"]
    pulled = state_object(boto_clients, backend["bucket"], backend["key"])
    assert second["state_serial"] == pulled["serial"] and second["resource_count"] == 1

    third = unit(backend=backend, inputs={"name": "two"})
    assert third["changed"] is True
    assert third["plan"]["resource_changes"] == [{"address": "terraform_data.this", "actions": ["update"]}]
    assert third["outputs"]["chain"] == ["two"]

    state = state_object(boto_clients, backend["bucket"], backend["key"])
    assert state["outputs"]["name"]["value"] == "two"
    assert [r["type"] for r in state["resources"]] == ["terraform_data"]


def test_terraform_version_is_asked_once_per_binary_not_per_cold_work_dir(unit, tmp_path, terraform_bin):
    log = tmp_path / "commands.log"
    wrapper = tmp_path / "tf-logging.sh"
    wrapper.write_text('#!/bin/sh\necho "$1" >> "%s"\nexec "%s" "$@"\n' % (log, terraform_bin))
    wrapper.chmod(0o755)
    for name in ("first", "second", "third"):  # three fresh work dirs sharing one plugin cache dir
        unit(name=name, terraform_binary=str(wrapper), allow_unlocked=True, inputs={"name": name})
    commands = log.read_text().split()
    assert commands.count("version") == 1, commands
    assert commands.count("init") == 3 and commands.count("apply") == 3


def test_check_mode_plans_and_touches_nothing(unit, state_store, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/check/terraform.tfstate")
    planned = unit(backend=backend, inputs={"name": "x"}, check_mode=True)
    assert planned["changed"] is True
    assert planned["plan"]["add"] == 1
    assert "applied" not in planned
    listing = boto_clients("s3").list_objects_v2(Bucket=backend["bucket"])
    assert listing.get("KeyCount", 0) == 0, "check mode wrote state"

    unit(backend=backend, inputs={"name": "x"})
    again = unit(backend=backend, inputs={"name": "x"}, check_mode=True)
    assert again["changed"] is False
    changed = unit(backend=backend, inputs={"name": "y"}, check_mode=True)
    assert changed["changed"] is True
    assert state_object(boto_clients, backend["bucket"], backend["key"])["outputs"]["name"]["value"] == "x"


def test_saved_plan_is_applied_exactly_and_stale_plan_refused(unit, state_store, tmp_path, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/saved/terraform.tfstate")
    plan_file = str(tmp_path / "plans" / "saved.tfplan")
    planned = unit(backend=backend, inputs={"name": "reviewed"}, state="planned", plan_file=plan_file)
    assert planned["changed"] is True
    assert stat.S_IMODE(os.stat(plan_file).st_mode) == 0o600
    applied = unit(backend=backend, inputs={"name": "reviewed"}, plan_file=plan_file)
    assert applied["changed"] is True
    assert applied["outputs"]["name"] == "reviewed"

    stale_file = str(tmp_path / "plans" / "stale.tfplan")
    unit(backend=backend, inputs={"name": "later"}, state="planned", plan_file=stale_file)
    unit(backend=backend, inputs={"name": "meanwhile"})  # the state moves on
    with pytest.raises(TerraformError, match="is stale"):
        unit(backend=backend, inputs={"name": "later"}, plan_file=stale_file)
    state = state_object(boto_clients, backend["bucket"], backend["key"])
    assert state["outputs"]["name"]["value"] == "meanwhile", "a stale plan must change nothing"


def test_plan_made_with_mocks_is_never_applied(unit, state_store, tmp_path):
    backend = dict(state_store, key="dev/us-east-1/mocked/terraform.tfstate")
    plan_file = str(tmp_path / "mocked.tfplan")
    planned = unit(backend=backend, inputs={"name": "x", "upstream": ["mock-network-vpc_id"]},
                   mocked_inputs=["upstream"], state="planned", plan_file=plan_file)
    assert planned["plan"]["mocked_inputs"] == ["upstream"]
    with pytest.raises(InputError, match="made with mock outputs for upstream"):
        unit(backend=backend, inputs={"name": "x"}, plan_file=plan_file)
    with pytest.raises(InputError, match="hold mock outputs"):
        unit(backend=backend, inputs={"name": "x", "upstream": ["m"]}, mocked_inputs=["upstream"])


def test_destroy_leaves_empty_state(unit, state_store, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/gone/terraform.tfstate")
    unit(backend=backend, inputs={"name": "x"})
    destroyed = unit(backend=backend, inputs={"name": "x"}, state="absent")
    assert destroyed["changed"] is True
    assert destroyed["plan"]["destroy"] == 1
    state = state_object(boto_clients, backend["bucket"], backend["key"])
    assert state["resources"] == [] and state["outputs"] == {}
    again = unit(backend=backend, inputs={"name": "x"}, state="absent")
    assert again["changed"] is False


def test_allow_destroy_false_refuses_replacement(unit, state_store):
    backend = dict(state_store, key="dev/us-east-1/guard/terraform.tfstate")
    unit(backend=backend, inputs={"name": "x"})
    with pytest.raises(TerraformError, match="deletes or replaces terraform_data.this while allow_destroy is false"):
        unit(backend=backend, inputs={"name": "x"}, replace=["terraform_data.this"], allow_destroy=False)


def test_lock_item_taken_during_apply_and_second_apply_names_holder(unit, state_store, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/locked/terraform.tfstate")
    unit(backend=backend, inputs={"name": "x"})  # init outside the race
    dynamodb = boto_clients("dynamodb")
    seen_lock_items = []
    errors = []

    def slow_apply(name):
        try:
            unit(backend=backend, inputs={"name": name, "delay": "4"})
        except Exception as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=slow_apply, args=("slow-1",))
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not seen_lock_items:
        items = dynamodb.scan(TableName=backend["dynamodb_table"])["Items"]
        # plan takes and releases its own lock first; wait for the apply's
        seen_lock_items = [i for i in items if "OperationTypeApply" in i.get("Info", {}).get("S", "")]
        time.sleep(0.1)
    assert seen_lock_items, "no apply lock item appeared in the DynamoDB table during apply"
    lock_info = json.loads(seen_lock_items[0]["Info"]["S"])

    with pytest.raises(LockHeldError) as held:
        unit(backend=backend, inputs={"name": "other"})
    assert lock_info["ID"] in held.value.message
    assert lock_info["Who"] in held.value.message
    assert "force_unlock" in held.value.message

    thread.join(60)
    assert not errors, errors
    # with lock_timeout the second run waits for the lock and then succeeds
    thread = threading.Thread(target=slow_apply, args=("slow-2",))
    thread.start()
    time.sleep(1.5)
    waited = unit(backend=backend, inputs={"name": "waited"}, lock_timeout="60s")
    thread.join(60)
    assert waited["outputs"]["name"] == "waited"
    assert not [i for i in dynamodb.scan(TableName=backend["dynamodb_table"])["Items"] if "Info" in i]


def test_force_unlock_needs_the_right_id(unit, state_store, boto_clients):
    backend = dict(state_store, key="dev/us-east-1/stale/terraform.tfstate")
    unit(backend=backend, inputs={"name": "x"})
    lock_id = "0f0c6a52-0000-4000-8000-000000000001"
    info = {"ID": lock_id, "Operation": "OperationTypeApply", "Info": "", "Who": "ghost@elsewhere",
            "Version": "1.11.4", "Created": "2026-11-23T10:00:00Z",
            "Path": "%s/%s" % (backend["bucket"], backend["key"])}
    boto_clients("dynamodb").put_item(TableName=backend["dynamodb_table"], Item={
        "LockID": {"S": "%s/%s" % (backend["bucket"], backend["key"])}, "Info": {"S": json.dumps(info)}})
    with pytest.raises(LockHeldError, match="ghost@elsewhere"):
        unit(backend=backend, inputs={"name": "x"})
    with pytest.raises(TerraformError, match="refused"):
        unit(backend=backend, inputs={"name": "x"}, force_unlock="11111111-2222-3333-4444-555555555555")
    released = unit(backend=backend, inputs={"name": "x"}, force_unlock=lock_id)
    assert released["unlocked"] == lock_id
    assert unit(backend=backend, inputs={"name": "x"})["changed"] is False


def test_errored_state_blocks_the_unit_with_recovery_command(unit, tmp_path):
    work = tmp_path / "work" / "app"
    unit(inputs={"name": "x"}, allow_unlocked=True)
    (work / "errored.tfstate").write_text("{}")
    with pytest.raises(TerraformError, match=r"state push errored.tfstate"):
        unit(inputs={"name": "x"})
    assert stat.S_IMODE(os.stat(work / "errored.tfstate").st_mode) == 0o600


@pytest.mark.parametrize("options, error, match", [
    ({"source": "/nonexistent/module"}, InputError, "does not exist"),
    ({"inputs": {}}, InputError, "required input.*name"),
    ({"inputs": {"name": "x", "colour": "red"}}, InputError, "colour are not variables"),
    ({"terraform_binary": "terraform-does-not-exist"}, InputError, "not found"),
    ({"backend": {"bucket": "b", "region": "us-east-1", "key": "/abs/key"}}, InputError, "not a valid S3 state key"),
    ({"backend": {"bucket": "b", "region": "us-east-1", "key": "a//b"}}, InputError, "not a valid S3 state key"),
    ({"backend": {"bucket": "b", "region": "us-east-1", "key": "k"}}, InputError, "has no lock"),
])
def test_bad_input_fails_clearly_before_terraform(unit, options, error, match):
    options.setdefault("inputs", {"name": "x"})
    with pytest.raises(error, match=match) as raised:
        unit(**options)
    assert "\n" not in raised.value.message


def test_hcl_syntax_error_names_the_file(unit, tmp_path):
    source = tmp_path / "broken"
    shutil.copytree(DATA, source)
    (source / "broken.tf").write_text('resource "terraform_data" "x" {\n')
    with pytest.raises(InputError, match="broken.tf"):
        unit(source=str(source), inputs={"name": "x"})


def test_missing_state_bucket_suggests_bootstrap(unit, local_aws):
    backend = {"bucket": "no-such-state-bucket", "region": "us-east-1", "dynamodb_table": "none", "key": "k/terraform.tfstate",
               "endpoints": {"s3": local_aws, "dynamodb": local_aws, "sts": local_aws}}
    with pytest.raises(TerraformError, match="does not exist; bootstrap the backend first"):
        unit(backend=backend, inputs={"name": "x"})


def test_work_dir_sync_copies_changes_and_removes_deleted_files(unit, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(DATA, source)
    (source / "extra.tf").write_text('output "extra" {\n  value = "e"\n}\n')
    result = unit(source=str(source), inputs={"name": "x"}, allow_unlocked=True)
    work = Path(result["work_dir"])
    assert result["outputs"]["extra"] == "e"
    assert sorted(p.name for p in source.iterdir()) == ["extra.tf", "main.tf"], "generated files reached the source"
    (source / "extra.tf").unlink()
    result = unit(source=str(source), inputs={"name": "x"})
    assert not (work / "extra.tf").exists()
    assert "extra" not in result["outputs"]
    assert (work / "terraform.tfstate").exists(), "local state must survive a sync"


def test_backend_change_is_never_silent(unit, state_store):
    first = dict(state_store, key="dev/us-east-1/moving/terraform.tfstate")
    unit(backend=first, inputs={"name": "x"})
    moved = dict(state_store, key="dev/us-east-1/moved/terraform.tfstate")
    with pytest.raises(InputError, match="backend changed.*backend_change: migrate"):
        unit(backend=moved, inputs={"name": "x"})
    migrated = unit(backend=moved, inputs={"name": "x"}, backend_change="migrate")
    assert migrated["init"] == "migrated"
    assert migrated["changed"] is False, "the state must have moved with the backend"


def test_noop_outputs_come_from_the_plan_file_sensitive_ones_masked_else_from_state_pull(unit, tmp_path, terraform_bin):
    """A no-op run reads outputs from the state inside its plan file (one process); a plan file that is
    not a readable zip (as an encrypted OpenTofu plan) falls back to `state pull`, same outputs."""
    password = "pw-" + os.urandom(4).hex()
    options = dict(name="sec", source=SECRETS, allow_unlocked=True, inputs={"label": "shown", "password": password})
    first = unit(**options)
    second = unit(**options)
    assert second["changed"] is False and second["terraform_commands"] == ["plan -input=false"]
    assert second["outputs_from"] == "plan"
    assert second["outputs"] == {"label": "shown", "token": "<sensitive>"} == first["outputs"]
    assert second["sensitive_outputs"] == ["token"] and "tok-" + password in second["_secrets"]

    wrapper = tmp_path / "tf-garbles-plans.sh"  # runs terraform, then overwrites any -out plan file
    wrapper.write_text('#!/bin/sh\n"%s" "$@"; rc=$?\nfor a in "$@"; do case "$a" in -out=*) '
                       'echo encrypted > "${a#-out=}";; esac; done\nexit $rc\n' % terraform_bin)
    wrapper.chmod(0o755)
    third = unit(terraform_binary=str(wrapper), **options)
    assert third["outputs_from"] == "state pull"
    assert third["terraform_commands"][-2:] == ["plan -input=false", "state pull"]  # (init: a new binary path)
    assert third["changed"] is False
    assert third["outputs"] == second["outputs"] and third["state_serial"] == second["state_serial"]


def test_sensitive_values_stay_out_of_output_logs_and_process_list(tmp_path, aws_env, terraform_bin):
    password = "hunter2-" + os.urandom(4).hex()
    log_dir = tmp_path / "logs"
    seen_in_ps = []
    stop = threading.Event()

    def watch_processes():
        while not stop.is_set():
            for proc in Path("/proc").iterdir():
                try:
                    cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                if password in cmdline:
                    seen_in_ps.append(cmdline)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_processes)
    watcher.start()
    try:
        tasks = [{
            "name": "apply a unit with a sensitive input and output",
            "groundwork.terraform.unit": {
                "name": "secrets", "source": SECRETS, "work_dir": str(tmp_path / "work"),
                "log_dir": str(log_dir), "allow_unlocked": True,
                "inputs": {"label": "visible", "password": password},
            },
            "register": "out",
        }, {
            "name": "show what was registered",
            "ansible.builtin.debug": {"var": "out"},
        }]
        proc = run_playbook(tmp_path, tasks, "-vvv", "--diff")
    finally:
        stop.set()
        watcher.join()
    assert "visible" in proc.stdout
    assert "<sensitive>" in proc.stdout
    assert password not in proc.stdout + proc.stderr
    assert "tok-" + password not in proc.stdout
    log_text = (log_dir / "secrets.log").read_text()
    assert "tfvars.json" in log_text and password not in log_text
    assert stat.S_IMODE(os.stat(log_dir / "secrets.log").st_mode) == 0o600
    assert not seen_in_ps, "secret seen in the process list"
    assert not list((tmp_path / "work").rglob("*.tfvars.json")), "inputs file left behind"


def test_module_check_mode_and_diff_through_ansible(tmp_path, aws_env, terraform_bin):
    task = {"groundwork.terraform.unit": {"name": "diffed", "source": DATA, "work_dir": str(tmp_path / "w"),
                                          "allow_unlocked": True, "inputs": {"name": "before"}},
            "register": "out"}
    check = run_playbook(tmp_path, [dict(task, name="plan")], "--check", "--diff")
    assert "changed: [localhost]" in check.stdout
    assert "terraform_data.this (create)" in check.stdout
    assert not (tmp_path / "w" / "terraform.tfstate").exists()
    run_playbook(tmp_path, [dict(task, name="apply")])
    again = run_playbook(tmp_path, [dict(task, name="again")], "--diff")
    assert "ok: [localhost]" in again.stdout and "changed=0" in again.stdout
    task["groundwork.terraform.unit"]["inputs"] = {"name": "after"}
    changed = run_playbook(tmp_path, [dict(task, name="change")], "--check", "--diff")
    assert '-    "name": "before"' in changed.stdout or "before" in changed.stdout
    assert "changed=1" in changed.stdout


def test_real_aws_module_through_generated_provider(unit, state_store, boto_clients, provider_mirror, tmp_path):
    """An S3 bucket and a DynamoDB table applied through the generated AWS provider configuration."""
    source = tmp_path / "aws_module"
    source.mkdir()
    (source / "main.tf").write_text("""
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
variable "name" { type = string }
resource "aws_s3_bucket" "this" { bucket = var.name }
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}
output "bucket_arn" { value = aws_s3_bucket.this.arn }
output "table_name" { value = aws_dynamodb_table.this.name }
""")
    name = "gw-real-" + os.urandom(3).hex()
    backend = dict(state_store, key="dev/us-east-1/real/terraform.tfstate")
    options = dict(name="real", source=str(source), backend=backend, inputs={"name": name},
                   provider_mirror=provider_mirror,
                   aws_provider={"region": "us-east-1", "default_tags": {"env": "test", "owner": "groundwork"}})
    applied = unit(**options)
    assert applied["changed"] and applied["plan"]["add"] == 3
    generated = json.loads((Path(applied["work_dir"]) / "_groundwork_provider.tf.json").read_text())
    assert generated["provider"]["aws"]["default_tags"] == {"tags": {"env": "test", "owner": "groundwork"}}
    s3 = boto_clients("s3")
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
    assert tags == {"env": "test", "owner": "groundwork"}
    table = boto_clients("dynamodb").describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert applied["outputs"]["table_name"] == name

    again = unit(**options)
    assert again["changed"] is False and again["init"] == "skipped"
    destroyed = unit(state="absent", **options)
    assert destroyed["plan"]["destroy"] == 3
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_sigterm_is_forwarded_once_so_terraform_saves_state_and_unlocks(state_store, tmp_path, aws_env, boto_clients,
                                                                       terraform_bin):
    """SIGTERM to the process running a unit reaches terraform once; it stops, saves state, releases the lock."""
    import signal
    import sys

    backend = dict(state_store, key="dev/us-east-1/interrupted/terraform.tfstate")
    script = tmp_path / "run_unit.py"
    script.write_text(
        "import json, sys\n"
        "sys.path.insert(0, %r)\n"
        "from ansible_collections.groundwork.terraform.plugins.module_utils.unit import UnitRunner, UnitSpec\n"
        "from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError\n"
        "spec = UnitSpec(**json.loads(sys.argv[1]))\n"
        "try:\n    UnitRunner(spec).run()\nexcept GroundworkError as exc:\n    print(exc.message); sys.exit(3)\n"
        % str(Path(__file__).resolve().parents[2] / "collections"))
    options = {"name": "interrupted", "source": DATA, "work_dir": str(tmp_path / "w"), "backend": backend,
               "inputs": {"name": "slow", "delay": "30"}, "plugin_cache_dir": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, str(script), json.dumps(options)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    dynamodb = boto_clients("dynamodb")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = dynamodb.scan(TableName=backend["dynamodb_table"])["Items"]
        if any("OperationTypeApply" in i.get("Info", {}).get("S", "") for i in items):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the apply never took its lock")
    time.sleep(1.0)  # inside the 30 s provisioner
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert time.monotonic() - started < 30, "terraform did not stop early on the forwarded signal"
    assert proc.returncode == 3, out
    log = (tmp_path / "w" / ".groundwork" / "interrupted.log").read_text()
    assert "Interrupt received" in log or "interrupt" in log.lower()
    assert not [i for i in dynamodb.scan(TableName=backend["dynamodb_table"])["Items"]
                if "Info" in i], "lock left behind"
    state = state_object(boto_clients, backend["bucket"], backend["key"])
    assert any(r["type"] == "terraform_data" and r["name"] == "this" for r in state["resources"]), \
        "state of the completed resources was not saved"


def test_s3_native_lockfile_backend(unit, state_store, boto_clients):
    """use_lockfile (terraform >= 1.10): the lock is an object beside the state, taken during apply."""
    from ansible_collections.groundwork.terraform.plugins.module_utils import terraform_cli as cli
    version = cli.detect(cli.find_binary()).version
    if version < (1, 10, 0):
        pytest.skip("S3-native locking needs terraform >= 1.10; this machine has %s" % (version,))
    backend = {k: v for k, v in state_store.items() if k != "dynamodb_table"}
    backend.update(use_lockfile=True, key="dev/us-east-1/lockfile/terraform.tfstate")
    seen = []

    def watch():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not seen:
            listing = boto_clients("s3").list_objects_v2(Bucket=backend["bucket"], Prefix="dev/us-east-1/lockfile/")
            seen.extend(o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith(".tflock"))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    applied = unit(backend=backend, inputs={"name": "locked", "delay": "3"})
    watcher.join()
    assert applied["changed"]
    assert seen == ["dev/us-east-1/lockfile/terraform.tfstate.tflock"]
    listing = boto_clients("s3").list_objects_v2(Bucket=backend["bucket"], Prefix="dev/us-east-1/lockfile/")
    assert [o["Key"] for o in listing["Contents"]] == ["dev/us-east-1/lockfile/terraform.tfstate"], "lock left behind"


def test_uninstallable_provider_stops_at_init_with_one_clear_line(unit, tmp_path):
    source = tmp_path / "needs_provider"
    source.mkdir()
    (source / "main.tf").write_text(
        'terraform {\n  required_providers {\n    acme = { source = "registry.example.invalid/acme/acme" }\n  }\n}\n'
        'resource "acme_thing" "x" {}\n')
    with pytest.raises(TerraformError) as failed:
        unit(source=str(source), allow_unlocked=True)
    message = failed.value.message
    assert "could not install provider registry.example.invalid/acme/acme" in message
    assert "terraform_provider_mirror" in message and "\n" not in message


def test_a_first_init_never_rewrites_the_cache_entry_other_units_run_providers_from(unit, state_store, tmp_path,
                                                                                    provider_mirror):
    """Without a lock-file entry terraform >= 1.4 reinstalls a provider into the shared plugin cache
    (unlink, then link again) on each unit's first init: a unit starting that provider at that
    instant finds no binary ("Failed to load plugin schemas", seen in CI on the seed plans). The
    unit lets terraform use the cache entry as it is (TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE),
    so the entry other units run from is never touched."""
    source = tmp_path / "region"
    source.mkdir()
    (source / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        'data "aws_region" "current" {}\noutput "region" {\n  value = data.aws_region.current.name\n}\n')
    cache = tmp_path / "plugin-cache"

    def entry():
        found = sorted(cache.glob("registry.terraform.io/hashicorp/aws/*/*"))
        assert len(found) == 1, found
        info = os.lstat(found[0])
        return found[0], info.st_ino, info.st_ctime_ns

    results = {}
    for name in ("first", "second"):
        results[name] = unit(name=name, source=str(source), provider_mirror=provider_mirror,
                             backend=dict(state_store, key="dev/us-east-1/%s/terraform.tfstate" % name),
                             aws_provider={"region": "us-east-1"}, plugin_cache_dir=str(cache))
        if name == "first":
            before = entry()
    assert entry() == before
    assert results["second"]["init"] == "ran" and results["second"]["outputs"]["region"] == "us-east-1"
    log = Path(results["second"]["log_path"]).read_text()
    assert "from the shared cache directory" in log
    lock_file = (Path(results["second"]["work_dir"]) / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock_file and "h1:" in lock_file


def test_module_own_provider_and_backend_blocks_are_merged_not_clobbered(unit, state_store, tmp_path, provider_mirror):
    source = tmp_path / "own_blocks"
    source.mkdir()
    (source / "main.tf").write_text(
        'terraform {\n  backend "s3" {}\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        'provider "aws" {\n  max_retries = 7\n}\n'
        'data "aws_region" "current" {}\n'
        'output "region" {\n  value = data.aws_region.current.name\n}\n')
    backend = dict(state_store, key="dev/us-east-1/own/terraform.tfstate")
    result = unit(name="own", source=str(source), backend=backend, provider_mirror=provider_mirror,
                  aws_provider={"region": "us-east-1"})
    work = Path(result["work_dir"])
    assert sorted(p.name for p in work.glob("_groundwork_*")) == [
        "_groundwork_backend_override.tf.json", "_groundwork_provider_override.tf.json"]
    assert "max_retries = 7" in (work / "main.tf").read_text()
    assert result["outputs"]["region"] == "us-east-1"


def test_a_unit_with_changes_applies_in_one_process_a_converged_one_only_plans(unit, state_store, boto_clients):
    """A deploy that applies whatever it plans (allow_destroy, no mocks, no diff) and expects changes
    runs one `apply -auto-approve`: no saved plan, one lock, one provider start. It expects changes
    unless the work dir's last converged deploy had the same module, inputs and generated files."""
    backend = dict(state_store, key="dev/us-east-1/direct/terraform.tfstate")
    cold = unit(backend=backend, inputs={"name": "one"})
    assert cold["terraform_commands"] == ["init -input=false", "apply -input=false"]
    assert cold["changed"] is True and cold["plan"]["applied_directly"] is True
    assert cold["plan"]["add"] == 1 and cold["plan"]["has_changes"] is True and cold["applied"]["add"] == 1
    assert cold["plan"]["resource_changes"] == [{"address": "terraform_data.this", "actions": ["create"]}]
    assert cold["outputs"]["chain"] == ["one"] and "outputs_from" not in cold  # from the apply's own events

    warm = unit(backend=backend, inputs={"name": "one"})
    assert warm["terraform_commands"] == ["plan -input=false"] and warm["changed"] is False
    assert warm["outputs"] == cold["outputs"]

    changed = unit(backend=backend, inputs={"name": "two"})
    assert changed["terraform_commands"] == ["apply -input=false"]
    assert changed["changed"] is True and changed["plan"]["change"] == 1
    assert changed["plan"]["resource_changes"] == [{"address": "terraform_data.this", "actions": ["update"]}]
    assert "name" in changed["plan"]["output_changes"] and changed["outputs"]["chain"] == ["two"]

    guarded = unit(backend=backend, inputs={"name": "three"}, allow_destroy=False)  # the plan decides: saved plan
    assert guarded["terraform_commands"] == ["plan -input=false", "apply -input=false"]
    assert "applied_directly" not in guarded["plan"] and guarded["outputs"]["chain"] == ["three"]

    # a fresh work dir (an AWX job, a CI runner) on a converged state: one apply that changes nothing
    serial = state_object(boto_clients, backend["bucket"], backend["key"])["serial"]
    fresh = unit(backend=backend, inputs={"name": "three"}, work_dir=str(Path(cold["work_dir"]).parent / "fresh"))
    assert fresh["terraform_commands"] == ["init -input=false", "apply -input=false"]
    assert fresh["changed"] is False and fresh["plan"]["has_changes"] is False
    assert fresh["outputs"] == guarded["outputs"]
    assert state_object(boto_clients, backend["bucket"], backend["key"])["serial"] == serial, "a no-op apply wrote state"

    gone = unit(backend=backend, inputs={"name": "three"}, state="absent")
    assert gone["terraform_commands"] == ["apply -input=false"] and gone["changed"] is True
    assert gone["plan"]["destroy"] == 1 and gone["plan"]["destroy_plan"] is True and gone["outputs"] == {}
    assert state_object(boto_clients, backend["bucket"], backend["key"])["resources"] == []
    back = unit(backend=backend, inputs={"name": "three"})  # converged record forgotten by the destroy
    assert back["terraform_commands"] == ["apply -input=false"] and back["plan"]["add"] == 1


def test_diff_mode_keeps_the_saved_plan_to_show_it(unit, state_store):
    backend = dict(state_store, key="dev/us-east-1/diffpath/terraform.tfstate")
    result = unit(backend=backend, inputs={"name": "d"}, diff=True)
    assert result["terraform_commands"] == ["init -input=false", "plan -input=false", "show -json", "apply -input=false"]
    assert result["diff"] and result["changed"] is True
