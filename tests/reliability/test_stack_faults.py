"""Faults in a whole stack run through ansible-playbook: Ctrl-C, an AWX cancel, a killed terraform
and its stale lock, a restore, a destroy failing part-way. One stack (DynamoDB lock), its tests in
file order, each leaving it as the next expects (like tests/integration/test_stack.py).

    base ──> slow (an apply that takes SLOW seconds)
      └────> guard (terraform refuses it on demand, even to destroy it)
    side (independent)

Every unit carries the suite's secret (vault_chain): test_secrets.py scans what these runs left.
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import time

import pytest

import reliability_kit as kit
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import TerraformError

# one ordered flow: under pytest-xdist (--dist loadgroup) it must stay on one worker
pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.xdist_group("reliability-stack")]
SLOW = 6


def units(guard_ok=True):
    return {
        "base": {"unit_module": "vault_chain", "unit_inputs": {"name": "base", "password": kit.SECRET}},
        "slow": {"unit_module": "vault_chain", "unit_dependencies": ["base"],
                 "unit_inputs": {"name": "slow", "delay": str(SLOW), "password": kit.SECRET,
                                 "upstream": "{{ dependency.base.chain }}"}},
        "guard": {"unit_module": "vault_chain", "unit_dependencies": ["base"],
                  "unit_inputs": {"name": "guard", "ok": guard_ok, "password": kit.SECRET}},
        "side": {"unit_module": "vault_chain", "unit_inputs": {"name": "side", "password": kit.SECRET}},
    }


@pytest.fixture(scope="module")
def stack(local_aws, aws, tmp_path_factory, terraform_bin):
    project = tmp_path_factory.mktemp("faulty-stack")
    return kit.Stack(project, local_aws, aws.new_store("dynamodb"), units())


def interrupt_during_slow_apply(stack, aws, send):
    """Start a deploy, wait until slow's apply runs its provisioner, ``send(proc)``; returns facts."""
    offset = kit.log_size(stack.log("slow"))
    proc = stack.start("stack.yml", mode="deploy")
    try:
        kit.wait_for_terraform(stack.work_dir("slow"), "apply", timeout=120, run=proc)
        kit.wait_for_text(stack.log("slow"), "sleep %d" % SLOW, after=offset, run=proc)
        info = aws.lock(stack.unit_backend("slow"))
        sent = time.monotonic()
        send(proc)
        rc = proc.wait(60)
        kit.wait_until_no_terraform(stack.project, timeout=60)
        stopped = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    proc.output_file.seek(0)
    log = stack.log("slow").read_text()
    last_apply = log.rsplit("### ", 2)[-2]
    return {"rc": rc, "stopped": stopped, "lock": info, "apply_log": last_apply, "out": proc.output_file.read()}


def assert_one_clean_interrupt(stack, aws, facts):
    assert facts["rc"] != 0
    assert facts["lock"] and facts["lock"]["Operation"] == "OperationTypeApply"
    assert facts["apply_log"].count("Interrupt received") == 1, facts["apply_log"][-1500:]
    assert "Two interrupts received" not in facts["apply_log"]
    assert aws.lock(stack.unit_backend("slow")) is None, "the interrupted apply left its lock"
    state = aws.state(stack.unit_backend("slow"))
    assert state and state["lineage"], "no state saved for slow"
    assert facts["stopped"] < SLOW + 30
    return state


@pytest.mark.scenario("I1")
def test_ctrl_c_during_an_apply_reaches_terraform_once(stack, aws, record_property):
    # a terminal's Ctrl-C: SIGINT to the whole foreground process group
    facts = interrupt_during_slow_apply(stack, aws, lambda proc: os.killpg(proc.pid, signal.SIGINT))
    state = assert_one_clean_interrupt(stack, aws, facts)
    record_property("observed", "Ctrl-C: terraform logged 'Interrupt received' once, every terraform gone %.1fs "
                    "after the signal, lock released, state serial %s saved (%d resources)" % (
                        facts["stopped"], state["serial"], len(state["resources"])))


@pytest.mark.scenario("I2")
def test_awx_cancel_sigterm_to_ansible_playbook_reaches_terraform_once(stack, aws, record_property):
    facts = interrupt_during_slow_apply(stack, aws, lambda proc: proc.send_signal(signal.SIGTERM))
    state = assert_one_clean_interrupt(stack, aws, facts)
    record_property("observed", "SIGTERM to ansible-playbook: ansible-core passes it to its workers' process "
                    "groups, the unit forwards it once; terraform stopped %.1fs after it, lock released, state "
                    "serial %s saved" % (facts["stopped"], state["serial"]))


@pytest.fixture(scope="module")
def killed_side(stack, aws, plugin_cache, terraform_bin):
    """side applied once more (v2) by hand, then an apply of it killed with SIGKILL mid-way."""
    env_backup = dict(os.environ)
    os.environ.update(kit.AWS_ENV)
    try:
        options = dict(name="side", work_dir=str(stack.work_dir("side")), backend=stack.unit_backend("side"),
                       plugin_cache_dir=str(stack.project / "plugin-cache"),
                       aws_provider={"region": "us-east-1", "endpoint_url": stack.endpoint})
        kit.run_unit(stack.work_root, plugin_cache, inputs={"name": "side-v2"}, **options)
        before = aws.state_bytes(stack.unit_backend("side"))
        offset = kit.log_size(stack.log("side"))
        victim = kit.Background(lambda: kit.run_unit(stack.work_root, plugin_cache, inputs={
            "name": "side-doomed", "delay": "30"}, **options))
        pid = kit.wait_for_terraform(stack.work_dir("side"), "apply", run=victim)
        kit.wait_for_text(stack.log("side"), "sleep 30", after=offset, run=victim)
        kit.kill_terraform(pid)
        killed = victim.outcome()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    return {"before": before, "killed": killed, "lock": aws.lock(stack.unit_backend("side"))}


@pytest.mark.scenario("L4", "I1", "I2")
def test_next_deploy_names_the_stale_lock_with_the_exact_unlock_command(stack, aws, killed_side, record_property):
    assert isinstance(killed_side["killed"], TerraformError)
    assert "killed by signal 9" in killed_side["killed"].message
    info = killed_side["lock"]
    assert info, "the killed apply left no lock"
    assert aws.state_bytes(stack.unit_backend("side")) == killed_side["before"], "state changed by a killed apply"

    proc = stack.run("stack.yml", mode="deploy")
    assert proc.returncode != 0
    message = next(m for m in kit.failure_messages(proc.stdout) if m.startswith("unit side:"))
    assert kit.one_line(message)
    assert "ID %s, held by %s for OperationTypeApply since" % (info["ID"], info["Who"]) in message
    assert " ago)" in message
    command = kit.command_in(message, "ansible-playbook groundwork.terraform.unlock")
    assert command == "ansible-playbook groundwork.terraform.unlock -i %s -e unit=side -e lock_id=%s" % (
        stack.inventory, info["ID"])
    data, rows = stack.summary("deploy")
    assert rows["side"]["status"] == "failed"
    # the re-run after the interruptions converged everything else
    assert {u: rows[u]["status"] for u in ("base", "slow", "guard")} == dict.fromkeys(("base", "slow", "guard"),
                                                                                      "ok"), rows
    assert aws.state(stack.unit_backend("slow"))["outputs"]["chain"]["value"] == ["base", "slow"]

    # The printed command, run as printed, releases the lock; the next deploy converges.
    argv = shlex.split(command)
    argv[0] = str(kit.BIN / "ansible-playbook")
    unlock = subprocess.run(argv, cwd=str(stack.project), env=stack.env, capture_output=True, text=True, timeout=300)
    assert unlock.returncode == 0, unlock.stdout[-3000:]
    assert aws.lock(stack.unit_backend("side")) is None
    again = stack.run("stack.yml", "-vvv", mode="deploy")  # -vvv: the leak scan reads this output too
    assert again.returncode == 0, again.stdout[-3000:]
    assert aws.state(stack.unit_backend("side"))["outputs"]["name"]["value"] == "side"
    record_property("observed:L4", "through ansible-playbook: the deploy after the SIGKILL named lock %s of %s with "
                    "its age and printed `%s`; run as printed it released the lock; the next deploy (-vvv) converged"
                    % (info["ID"][:8], info["Who"], command.replace(str(stack.inventory), "<inventory>")))
    record_property("observed:I1", "re-run converged: slow applied, chain %s" % ["base", "slow"])
    record_property("observed:I2", "re-run converged: slow applied, chain %s" % ["base", "slow"])


@pytest.mark.scenario("R1", "R2")
def test_restore_playbook_lists_versions_and_restores_one(stack, aws, record_property):
    backend = stack.unit_backend("side")
    listed = stack.run("restore.yml", "-e", "unit=side")
    assert listed.returncode == 0, listed.stdout[-3000:]
    versions = [v for v in aws.versions(backend)]
    for version in versions:
        assert version["VersionId"] in listed.stdout
    assert "<- current" in listed.stdout
    v2 = next(v for v in versions if json.loads(aws.s3.get_object(
        Bucket=backend["bucket"], Key=backend["key"], VersionId=v["VersionId"])["Body"].read())
        ["outputs"]["name"]["value"] == "side-v2")
    serial_before = aws.state(backend)["serial"]

    restored = stack.run("restore.yml", "-e", "unit=side", "-e", "version_id=%s" % v2["VersionId"], "--diff")
    assert restored.returncode == 0, restored.stdout[-3000:]
    state = aws.state(backend)
    assert state["outputs"]["name"]["value"] == "side-v2"
    assert state["serial"] == serial_before + 1
    assert aws.digest(backend) == hashlib.md5(aws.state_bytes(backend)).hexdigest()  # nosec - terraform's digest
    assert "serial %d ->" % serial_before in restored.stdout
    record_property("observed", "restore.yml listed %d versions; restoring the side-v2 version made it current "
                    "with serial %d -> %d and a matching digest" % (len(versions), serial_before, state["serial"]))


@pytest.mark.scenario("S1")
def test_plan_with_plan_dir_writes_no_secret(stack, aws, record_property):
    plan_dir = stack.project / "plans"
    proc = stack.run("plan.yml", "-e", "plan_dir=%s" % plan_dir)
    assert proc.returncode == 0, proc.stdout[-3000:]
    data, rows = stack.summary("plan")
    assert rows["side"]["action"] == "would change"  # side-v2 (restored) -> side
    summaries = sorted(plan_dir.glob("*.tfplan.json"))
    assert [p.name for p in summaries] == ["side.tfplan.json"]
    assert json.loads(summaries[0].read_text())["plan"]["resource_changes"]
    for path in summaries:
        assert kit.SECRET not in path.read_text() and kit.TOKEN not in path.read_text()
    record_property("observed", "plan.yml -e plan_dir wrote side.tfplan (terraform's, holds the inputs, 0600) and "
                    "side.tfplan.json (no value)")


@pytest.mark.scenario("I5")
def test_a_destroy_failing_part_way_can_be_rerun(stack, aws, record_property):
    stack.write(units(guard_ok=False))  # terraform now refuses guard, in a destroy too
    failed = stack.run("destroy.yml", "-e", "confirm_destroy=rel")
    assert failed.returncode != 0
    data, rows = stack.summary("destroy")
    status = {unit: row["status"] for unit, row in rows.items()}
    assert status == {"guard": "failed", "base": "skipped", "slow": "ok", "side": "ok"}, rows
    assert rows["base"]["note"] == "blocked by guard"
    for unit in ("slow", "side"):
        assert aws.state(stack.unit_backend(unit))["resources"] == [], unit
    for unit in ("guard", "base"):
        assert aws.state(stack.unit_backend(unit))["resources"], unit
    limit = stack.limit_file("destroy")
    assert limit.read_text().split() == ["guard", "base"]

    stack.write(units(guard_ok=True))
    rerun = stack.run("destroy.yml", "-e", "confirm_destroy=rel", "--limit", "@%s" % limit)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    data, rows = stack.summary("destroy")
    assert sorted(rows) == ["base", "guard"] and {r["action"] for r in rows.values()} == {"destroyed"}, rows
    for unit in units():
        assert aws.state(stack.unit_backend(unit))["resources"] == [], unit
    record_property("observed", "guard refused: slow and side destroyed, base skipped (blocked by guard), limit "
                    "file [guard, base]; the re-run with --limit @file destroyed both")


@pytest.mark.scenario("S1", "S2")
def test_no_secret_in_any_output_log_record_or_file_others_can_read(stack, aws, process_watcher, record_property):
    """Last: everything this stack's runs printed or left behind (Ctrl-C'd, SIGTERM'd, failed, -vvv runs)."""
    needles = [kit.SECRET, kit.TOKEN, kit.AWS_SECRET]
    outputs = [proc.stdout + proc.stderr for proc in stack.history]
    outputs += [path.read_text(errors="replace") for path in stack.project.glob("*.out")]
    assert len(outputs) >= 8
    for text in outputs:
        for needle in needles:
            assert needle not in text, "a secret reached ansible-playbook's output"
    assert any("<sensitive>" in text for text in outputs)
    assert any("inventory source with" in text for text in outputs), "no -vvv run was scanned"  # display.vvv
    # The inventory is where the secret comes from (a real project keeps it in ansible-vault).
    holding = [p for p in kit.files_holding(stack.project, needles) if stack.inventory not in p.parents]
    readable = [str(p.relative_to(stack.project)) for p in holding if kit.readable_by_others(stack.project, p)]
    assert readable == [], "files other users can read hold a secret: %s" % readable
    kinds = sorted({p.name if p.suffix != ".tfplan" else "*.tfplan" for p in holding})
    for path in holding:
        assert not path.name.endswith((".log", ".json", ".limit", ".out")), "secret in %s" % path
    logs = list(stack.project.rglob("*.log"))
    assert logs
    commands = [line for log in logs for line in log.read_text(errors="replace").splitlines()
                if line.startswith("### ") and "terraform" in line]
    assert commands and not [c for c in commands if "-backend-config" in c or "-var=" in c or kit.AWS_SECRET in c]
    assert process_watcher.terraform_argvs, "the process watcher saw no terraform process"
    assert not [argv for argv in process_watcher.terraform_argvs if "-backend-config" in argv or "-var=" in argv]
    record_property("observed:S1", "%d ansible-playbook outputs of this stack (Ctrl-C'd, SIGTERM'd, failed, one "
                    "-vvv) and %d unit logs hold no secret; besides the inventory the secret is only in %s, none "
                    "readable by other users" % (len(outputs), len(logs), ", ".join(kinds) or "no file"))
    record_property("observed:S2", "%d terraform command lines logged and %d terraform argvs sampled from the "
                    "process list: no -backend-config, no -var, no AWS secret key" % (
                        len(commands), len(process_watcher.terraform_argvs)))
