from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils import terraform_cli as cli
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError


def test_plan_argv_is_exact_and_never_carries_values():
    argv = cli.plan_argv("tf", "/w/p.tfplan", var_file="/w/in.tfvars.json", destroy=True, targets=["a.b"],
                         replace=["c.d"], lock_timeout="5m", parallelism=4)
    assert argv == ["tf", "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=/w/p.tfplan", "-json",
                    "-destroy", "-var-file=/w/in.tfvars.json", "-lock-timeout=5m", "-parallelism=4",
                    "-target=a.b", "-replace=c.d"]
    assert not any(a.startswith("-var=") for a in argv)


def test_apply_and_init_argv():
    assert cli.apply_argv("tf", "p.tfplan", lock_timeout="1m") == [
        "tf", "apply", "-input=false", "-no-color", "-auto-approve", "-json", "-lock-timeout=1m", "p.tfplan"]
    assert cli.init_argv("tf", migrate_state=True) == ["tf", "init", "-input=false", "-no-color", "-migrate-state",
                                                       "-force-copy"]
    assert cli.init_argv("tf", reconfigure=True, backend=False) == ["tf", "init", "-input=false", "-no-color",
                                                                    "-backend=false", "-reconfigure"]
    assert cli.force_unlock_argv("tf", "ID") == ["tf", "force-unlock", "-force", "-no-color", "ID"]


def test_event_stream_reads_plan_events():
    events = cli.EventStream()
    lines = [
        {"type": "planned_change", "@message": "x: Plan to create",
         "change": {"resource": {"addr": "aws_s3_bucket.b"}, "action": "replace"}},
        {"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 1, "import": 0}},
        {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": "Bad", "detail": "very\nbad",
                                              "range": {"filename": "main.tf", "start": {"line": 3}}}},
    ]
    messages = [events.feed(json.dumps(line)) for line in lines]
    assert messages[0] == "x: Plan to create"
    assert events.resource_changes == [{"address": "aws_s3_bucket.b", "actions": ["delete", "create"]}]
    assert events.summary["remove"] == 1
    assert events.errors[0].one_line() == "Bad: very bad (at main.tf:3)"
    assert events.feed("not json\n") == "not json\n"


def test_direct_apply_argv_plans_and_applies_in_one_process():
    argv = cli.direct_apply_argv("tf", var_file="/w/in.tfvars.json", destroy=True, targets=["a.b"], replace=["c.d"],
                                 lock_timeout="5m", parallelism=4)
    assert argv == ["tf", "apply", "-input=false", "-no-color", "-auto-approve", "-json", "-destroy",
                    "-var-file=/w/in.tfvars.json", "-lock-timeout=5m", "-parallelism=4", "-target=a.b", "-replace=c.d"]
    assert not any(a.endswith(".tfplan") or a.startswith("-var=") for a in argv)


def test_event_stream_of_an_apply_without_saved_plan_keeps_the_plan_apart():
    """terraform 1.11 `apply -auto-approve -json`: the plan's summary and outputs, then the apply's."""
    events = cli.EventStream()
    for line in [
        {"type": "planned_change", "change": {"resource": {"addr": "terraform_data.x"}, "action": "update"}},
        {"type": "change_summary", "changes": {"add": 0, "change": 1, "import": 0, "remove": 0, "operation": "plan"}},
        {"type": "outputs", "outputs": {"o": {"sensitive": False, "action": "update"}}},
        {"type": "apply_complete", "hook": {"resource": {"addr": "terraform_data.x"}, "action": "update"}},
        {"type": "change_summary", "changes": {"add": 0, "change": 1, "import": 0, "remove": 0, "operation": "apply"}},
        {"type": "outputs", "outputs": {"o": {"sensitive": False, "type": "string", "value": "b"}}},
    ]:
        events.feed(json.dumps(line))
    assert events.plan_summary["operation"] == "plan" and events.summary["operation"] == "apply"
    assert events.planned_outputs == {"o": {"sensitive": False, "action": "update"}}
    assert events.outputs["o"]["value"] == "b"
    assert events.resource_changes == [{"address": "terraform_data.x", "actions": ["update"]}]

    destroyed = cli.EventStream()  # a destroy reports no outputs after applying
    for line in [{"type": "change_summary", "changes": {"remove": 1, "operation": "plan"}},
                 {"type": "outputs", "outputs": {"o": {"sensitive": False, "action": "delete"}}},
                 {"type": "change_summary", "changes": {"remove": 1, "operation": "apply"}}]:
        destroyed.feed(json.dumps(line))
    assert destroyed.outputs is destroyed.planned_outputs


def test_event_stream_of_a_plan_run_has_its_summary_as_the_plan_summary():
    events = cli.EventStream()
    events.feed(json.dumps({"type": "change_summary", "changes": {"add": 2, "operation": "plan"}}))
    events.feed(json.dumps({"type": "outputs", "outputs": {"o": {"sensitive": False, "action": "create"}}}))
    assert events.plan_summary is events.summary and events.planned_outputs is events.outputs


def test_text_errors_read_boxed_human_output():
    text = ("\n╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list"
            " of available versions for provider hashicorp/aws\n╵\n")
    errors = cli.text_errors(text)
    assert [e.summary for e in errors] == ["Failed to query available provider packages"]
    assert "hashicorp/aws" in errors[0].detail


def test_find_binary_errors_name_the_fix(tmp_path):
    with pytest.raises(InputError, match="terraform_binary 'nope-tf' not found"):
        cli.find_binary("nope-tf")


def test_version_is_detected_once_and_cached(tmp_path):
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\necho '{\"terraform_version\": \"1.7.5\"}'\n")
    fake.chmod(0o755)
    cache = tmp_path / "version.json"
    calls = []

    def run(argv, **kwargs):
        import subprocess
        calls.append(argv)
        return subprocess.run(argv, **kwargs)

    info = cli.detect(str(fake), str(cache), run=run)
    assert info.version == (1, 7, 5) and info.flavor == "terraform"
    assert info.supports("backend_endpoints_block") and not info.supports("s3_lockfile")
    again = cli.detect(str(fake), str(cache), run=run)
    assert again.version == (1, 7, 5) and len(calls) == 1
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600


def test_version_cache_shared_per_binary_and_redone_when_the_binary_changes(tmp_path):
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho '{\"terraform_version\": \"1.9.0\"}'\n")
    fake.chmod(0o755)
    other = tmp_path / "bin" / "tofu"
    other.write_text("#!/bin/sh\necho 'OpenTofu v1.8.2'\n")
    other.chmod(0o755)
    cache_dir = tmp_path / "plugin-cache"  # not there yet: made on first write
    calls = []

    def run(argv, **kwargs):
        import subprocess
        calls.append(argv[0])
        return subprocess.run(argv, **kwargs)

    first = cli.version_cache_file(str(cache_dir), str(fake))
    assert first == cli.version_cache_file(str(cache_dir), str(fake))  # every unit finds the same file
    assert first != cli.version_cache_file(str(cache_dir), str(other))
    assert cli.version_cache_file("", str(fake)) is None
    assert cli.detect(str(fake), first, run=run).version == (1, 9, 0)
    assert cli.detect(str(fake), first, run=run).version == (1, 9, 0) and len(calls) == 1
    assert cli.detect(str(other), cli.version_cache_file(str(cache_dir), str(other)), run=run).flavor == "opentofu"
    fake.write_text("#!/bin/sh\necho '{\"terraform_version\": \"1.10.5\"}' # upgraded in place\n")
    assert cli.detect(str(fake), first, run=run).version == (1, 10, 5) and len(calls) == 3


def test_old_versions_are_refused(tmp_path):
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\necho 'Terraform v0.14.11'\n")
    fake.chmod(0o755)
    with pytest.raises(InputError, match="needs terraform >= 1.0"):
        cli.detect(str(fake))


def test_state_from_plan_file_reads_the_tfstate_entry_or_gives_none(tmp_path):
    import json
    import zipfile

    from ansible_collections.groundwork.terraform.plugins.module_utils.terraform_cli import state_from_plan_file

    state = {"version": 4, "serial": 3, "lineage": "l", "outputs": {"a": {"value": 1, "type": "number"}},
             "resources": []}
    good = tmp_path / "good.tfplan"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("tfplan", b"\x00")
        archive.writestr("tfstate", json.dumps(state))
    assert state_from_plan_file(str(good)) == state

    no_entry = tmp_path / "no-entry.tfplan"
    with zipfile.ZipFile(no_entry, "w") as archive:
        archive.writestr("tfplan", b"\x00")
    other_version = tmp_path / "v3.tfplan"
    with zipfile.ZipFile(other_version, "w") as archive:
        archive.writestr("tfstate", json.dumps(dict(state, version=3)))
    (tmp_path / "encrypted.tfplan").write_bytes(b'{"encryption_version": "v0", "payload": "..."}')
    for name in ("no-entry.tfplan", "v3.tfplan", "encrypted.tfplan", "missing.tfplan"):
        assert state_from_plan_file(str(tmp_path / name)) is None, name


# what a process sees of its own priority, after a pause (the runner lowers it just after the start)
_OWN_NICE = "import os, time; time.sleep(0.3); print(os.getpriority(os.PRIO_PROCESS, 0))"


def test_work_ahead_of_need_runs_at_a_lower_priority(tmp_path):
    own = os.getpriority(os.PRIO_PROCESS, 0)
    ahead = cli.Runner(str(tmp_path), {"PATH": os.environ["PATH"]}, niceness=10).run([sys.executable, "-c", _OWN_NICE])
    assert int(ahead.stdout) == min(19, own + 10)
    needed = cli.Runner(str(tmp_path), {"PATH": os.environ["PATH"]}).run([sys.executable, "-c", _OWN_NICE])
    assert int(needed.stdout) == own
