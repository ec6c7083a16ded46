"""The kit's waits give up as soon as the run they wait on has ended, saying what it said."""
from __future__ import annotations

import subprocess
import time

import pytest

import reliability_kit as kit


def ended_playbook(tmp_path, text, rc):
    out = open(tmp_path / "run.out", "w+")
    proc = subprocess.Popen(["sh", "-c", 'printf "%%s\\n" "$0"; exit %d' % rc, text], stdout=out,
                            stderr=subprocess.STDOUT, text=True)
    proc.output_file = out
    proc.wait(10)
    return proc


def test_a_wait_on_an_ended_playbook_fails_at_once_with_its_failure_messages(tmp_path):
    line = 'fatal: [slow]: FAILED! => {"changed": false, "msg": "unit slow: the state lock is held: ID 42"}'
    run = ended_playbook(tmp_path, line, 2)
    started = time.monotonic()
    with pytest.raises(AssertionError) as failed:
        kit.wait_for_text(tmp_path / "never.log", "sleep 6", timeout=30, run=run)
    assert time.monotonic() - started < 5
    assert "the playbook ended (rc 2) before 'sleep 6' appeared" in str(failed.value)
    assert "unit slow: the state lock is held: ID 42" in str(failed.value)
    with pytest.raises(AssertionError, match=r"ended \(rc 2\) before terraform apply started"):
        kit.wait_for_terraform(tmp_path, "apply", timeout=30, run=run)


def test_a_wait_on_an_ended_background_run_names_its_error(tmp_path):
    def fails():
        raise RuntimeError("init failed: no provider")
    run = kit.Background(fails)
    run.join(10)
    with pytest.raises(AssertionError, match="(?s)background run ended before .*init failed: no provider"):
        kit.wait_for_terraform(tmp_path, "apply", timeout=30, run=run)


def test_a_wait_without_a_run_still_times_out(tmp_path):
    with pytest.raises(AssertionError, match="never appeared"):
        kit.wait_for_text(tmp_path / "never.log", "x", timeout=0.2)
