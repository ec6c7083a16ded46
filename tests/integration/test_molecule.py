"""`molecule test -s <scenario>` from the repo root, as a developer runs it (so `make test` runs it).

Each scenario starts its own moto endpoint unless AWS_ENDPOINT_URL is set, deploys through the
collection's playbooks twice (molecule's idempotence step), verifies, destroys and checks that
nothing is left.
- default: the diamond fixture stack (6 units, terraform_data only): outputs, no-change plan.
- local: the reference platform of inventories/local with the real AWS provider (11 units, two
  of them plan-only): resources checked through the AWS API, idempotent re-deploy, destroy.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.terraform]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tools"))
import local_endpoint  # noqa: E402
from support.ansible_run import own_lock_note  # noqa: E402

STEPS = ("create", "converge", "idempotence", "verify", "cleanup", "destroy")


def run_scenario(name, tmp_path, timeout, extra_env=None):
    ephemeral = tmp_path / "molecule"
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), NO_COLOR="1", ANSIBLE_NOCOLOR="1",
               MOLECULE_EPHEMERAL_DIRECTORY=str(ephemeral), **(extra_env or {}))
    env.pop("ANSIBLE_CONFIG", None)  # molecule writes its own (molecule.yml ansible.cfg)
    env.pop("AWS_ENDPOINT_URL", None)  # the scenario starts its own endpoint
    started = time.monotonic()
    try:
        proc = subprocess.run([str(BIN / "molecule"), "test", "-s", name], cwd=str(REPO), env=env,
                              capture_output=True, text=True, timeout=timeout)
    finally:
        # Safety net: an endpoint the scenario started but could not stop (its destroy never ran).
        for pid_file in ephemeral.glob("local-endpoint-*.pid"):
            local_endpoint.stop_pid(int(pid_file.read_text().strip()))
    seconds = time.monotonic() - started
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, "molecule test -s %s failed (rc %d, %.0fs)%s:\n%s" % (
        name, proc.returncode, seconds, own_lock_note(output), output[-8000:])
    for step in STEPS:
        assert re.search(r"%s (➜|>) %s: Executed: Successful" % (name, step), output), step
    assert re.search(r"%s\s*: actions=\d+\s+successful=\d+\s+disabled=0\s+skipped=0\s+missing=0\s+failed=0" % name,
                     output), output[-3000:]
    assert not list(ephemeral.glob("local-endpoint-*.pid")), "the scenario left its endpoint running"
    # The checkout is the collection: no copy installed elsewhere may shadow it.
    assert "Another version of 'groundwork.terraform'" not in output, "a copy of the collection shadowed the checkout"
    print("molecule test -s %s: %.0fs" % (name, seconds))
    return output


def test_molecule_default_scenario(tmp_path):
    output = run_scenario("default", tmp_path, timeout=1200)
    assert "6 states, no resource left" in output


def test_molecule_local_scenario(tmp_path, provider_mirror):
    """The real platform needs the AWS provider: from the machine's mirror (no registry here)."""
    output = run_scenario("local", tmp_path, timeout=2400, extra_env={"GROUNDWORK_PROVIDER_MIRROR": str(provider_mirror)})
    assert "11 units destroyed, no resource left" in output
    assert "0 unit(s) changed: none" in output  # the idempotence converge
