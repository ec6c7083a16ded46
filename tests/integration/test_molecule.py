"""`molecule test -s default` from the repo root, as a developer runs it (so `make test` runs it).

The scenario (molecule/default) starts its own moto endpoint unless AWS_ENDPOINT_URL is set,
deploys the diamond fixture stack twice (molecule's idempotence step), verifies outputs and a
no-change plan, destroys the stack and checks every state is empty.
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


def test_molecule_default_scenario(tmp_path):
    ephemeral = tmp_path / "molecule"
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), NO_COLOR="1", ANSIBLE_NOCOLOR="1",
               MOLECULE_EPHEMERAL_DIRECTORY=str(ephemeral))
    env.pop("ANSIBLE_CONFIG", None)  # molecule writes its own (molecule.yml ansible.cfg)
    started = time.monotonic()
    try:
        proc = subprocess.run([str(BIN / "molecule"), "test", "-s", "default"], cwd=str(REPO), env=env,
                              capture_output=True, text=True, timeout=1200)
    finally:
        # Safety net: an endpoint the scenario started but could not stop (its destroy never ran).
        for pid_file in ephemeral.glob("local-endpoint-*.pid"):
            local_endpoint.stop_pid(int(pid_file.read_text().strip()))
    seconds = time.monotonic() - started
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, "molecule test failed (rc %d, %.0fs):\n%s" % (proc.returncode, seconds,
                                                                             output[-8000:])
    for step in ("create", "converge", "idempotence", "verify", "cleanup", "destroy"):
        assert re.search(r"default (➜|>) %s: Executed: Successful" % step, output), step
    assert re.search(r"default\s*: actions=\d+\s+successful=\d+\s+disabled=0\s+skipped=0\s+missing=0\s+failed=0",
                     output), output[-3000:]
    assert "6 states, no resource left" in output
    assert not list(ephemeral.glob("local-endpoint-*.pid")), "the scenario left its endpoint running"
    print("molecule test -s default: %.0fs" % seconds)
