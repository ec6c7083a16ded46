"""A unit waiting for its dependencies is woken by their finish (a FIFO write), not at its next poll."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ansible_collections.groundwork.terraform.plugins.module_utils import stack_run
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import FAILED, OK, RunDir, WakeUp

REPO = Path(__file__).resolve().parents[4]
# a finisher in its own process, as a unit in another Ansible worker is
FINISH = ("import sys, time; from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import RunDir; "
          "time.sleep(float(sys.argv[3])); RunDir(sys.argv[1]).set_status(sys.argv[2], sys.argv[4]); print(time.time())")


def _finish_later(run_dir, unit, delay, status=OK):
    env = dict(os.environ, PYTHONPATH=str(REPO / "collections"))
    return subprocess.Popen([sys.executable, "-c", FINISH, str(run_dir), unit, str(delay), status],
                            env=env, stdout=subprocess.PIPE, text=True)


def _run_dir(tmp_path):
    run = RunDir(str(tmp_path / "run"))
    run.create({"units": ["a", "b", "c"]})
    return run


def test_a_finish_in_another_process_wakes_the_waiter_at_once(tmp_path):
    run = _run_dir(tmp_path)
    finisher = _finish_later(run.path, "a", 0.5)
    records = run.wait_for(["a"], timeout=30, poll=10)  # a poll alone would take 10 s
    noticed = time.time()
    finished_at = float(finisher.communicate(timeout=30)[0])
    assert records["a"]["status"] == OK
    assert noticed - finished_at < 0.05, "noticed %.3f s after the finish" % (noticed - finished_at)


def test_every_dependency_is_waited_for_and_each_finish_wakes(tmp_path):
    run = _run_dir(tmp_path)
    finishers = [_finish_later(run.path, "a", 0.2), _finish_later(run.path, "b", 0.6)]
    started = time.monotonic()
    records = run.wait_for(["a", "b"], timeout=30, poll=10)
    assert sorted(records) == ["a", "b"]
    assert time.monotonic() - started < 5
    for proc in finishers:
        proc.communicate(timeout=30)


def test_a_failed_dependency_wakes_the_waiter_too(tmp_path):
    run = _run_dir(tmp_path)
    finisher = _finish_later(run.path, "a", 0.3, FAILED)
    started = time.monotonic()
    records = run.wait_for(["a", "b"], timeout=30, poll=10)
    assert records["a"]["status"] == FAILED and "b" not in records
    assert time.monotonic() - started < 5
    finisher.communicate(timeout=30)


def test_a_finish_before_the_wait_returns_at_once(tmp_path):
    run = _run_dir(tmp_path)
    run.set_status("a", OK)
    started = time.monotonic()
    assert run.wait_for(["a"], timeout=30, poll=10)["a"]["status"] == OK
    assert time.monotonic() - started < 0.5


def test_the_waiter_leaves_nothing_behind(tmp_path):
    run = _run_dir(tmp_path)
    threading.Timer(0.2, run.set_status, ("a", OK)).start()
    run.wait_for(["a"], timeout=30, poll=10)
    wake = Path(run.path) / stack_run.WAKE_DIR
    assert [p.name for p in wake.iterdir()] == ["a"]  # the unit folder stays, no FIFO or link
    assert not list((wake / "a").iterdir())


def test_a_waiter_that_is_gone_does_not_stop_the_finisher(tmp_path):
    run = _run_dir(tmp_path)
    folder = Path(run.path) / stack_run.WAKE_DIR / "a"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "killed-waiter", 0o600)  # no reader: opening it for writing fails with ENXIO
    (folder / "not-a-fifo").write_text("")      # never written to
    started = time.monotonic()
    run.set_status("a", OK)
    assert time.monotonic() - started < 0.5
    assert (folder / "not-a-fifo").read_text() == ""


def test_without_fifos_it_polls(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "mkfifo")
    run = _run_dir(tmp_path)
    with WakeUp(os.path.join(run.path, stack_run.WAKE_DIR), ["a"]) as wake:
        assert wake.polling
    threading.Timer(0.2, run.set_status, ("a", OK)).start()
    started = time.monotonic()
    assert run.wait_for(["a"], timeout=30, poll=0.05)["a"]["status"] == OK
    assert time.monotonic() - started < 2


def test_pause_ends_when_a_watched_unit_finishes_and_never_after_its_limit(tmp_path):
    run = _run_dir(tmp_path)
    with run.wake_on(["a", "b"]) as wake:
        started = time.monotonic()
        wake.pause(10, limit=0.2)  # nothing finishes: the limit
        assert 0.15 < time.monotonic() - started < 1
        threading.Timer(0.1, run.set_status, ("b", OK)).start()
        started = time.monotonic()
        wake.pause(10)  # woken by b's final status, well before the backup look
        assert time.monotonic() - started < stack_run.WAKE_BACKUP_POLL - 0.1
