"""Run real ansible-playbook against the checkout's collection (no mocks)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from support.own_lock import OWN_LOCK, lost_lock_ids

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "PATH": "%s:%s" % (BIN, env.get("PATH", "")),
    })
    env.update(extra or {})
    return env


def own_lock_note(output):
    """Names terraform's own lost lock, with its ID, in a failure message even when the output is
    cut short: pytest.ini reruns a test once for exactly that (--only-rerun "terraform#16630") and
    tests/conftest.py releases the named lock before the rerun."""
    ids = lost_lock_ids(output)
    if OWN_LOCK not in output:
        return ""
    return " - terraform lost its own state lock (hashicorp/terraform#16630)%s" % (
        ": ID %s" % ", ID ".join(ids) if ids else "")


def run_playbook(tmp_path, tasks_or_plays, *args, inventory=None, extra_env=None, check=True, timeout=600):
    """Write a playbook (a list of tasks for localhost, or full plays / import_playbook entries) and run it;
    returns CompletedProcess."""
    plays = tasks_or_plays
    play_keys = ("hosts", "import_playbook", "ansible.builtin.import_playbook")
    if tasks_or_plays and not any(key in tasks_or_plays[0] for key in play_keys):
        plays = [{"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks_or_plays}]
    playbook = Path(tmp_path) / ("playbook-%d.yml" % len(list(Path(tmp_path).glob("playbook-*.yml"))))
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    argv = [str(BIN / "ansible-playbook"), str(playbook)]
    argv += ["-i", str(inventory)] if inventory else [
        "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable]
    argv += list(args)
    proc = subprocess.run(argv, cwd=str(tmp_path), env=ansible_env(extra_env), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("ansible-playbook failed (rc %d)%s\nSTDOUT:\n%s\nSTDERR:\n%s"
                             % (proc.returncode, own_lock_note(proc.stdout + proc.stderr), proc.stdout[-6000:],
                                proc.stderr[-3000:]))
    return proc
