"""PrepareClaims: a unit is prepared ahead by one helper at most, never after its own task started,
and its own task's claim waits for a helper at work on it (a lock per unit, across processes)."""
from __future__ import annotations

import multiprocessing
import time

from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import PrepareClaims


def _prepare_slowly(run_path, unit, started, release):
    def prepare():
        started.set()
        release.wait(10)
        return "ran"
    PrepareClaims(run_path).prepare_ahead(unit, "helper", prepare)


def test_a_helper_prepares_an_unclaimed_unit_once_and_records_it(tmp_path):
    claims = PrepareClaims(str(tmp_path))
    calls = []
    assert claims.candidates(["a", "b", "c"], "a") == ["b", "c"]
    assert claims.prepare_ahead("b", "a", lambda: calls.append("b") or "ran") is True
    assert claims.prepare_ahead("b", "c", lambda: calls.append("again") or "ran") is False  # done already
    assert calls == ["b"]
    assert claims.candidates(["a", "b", "c"], "a") == ["c"]
    record = claims.claim("b")
    assert record["by"] == "a" and record["init"] == "ran" and record["finished"] >= record["started"]
    assert (tmp_path / "prepare").stat().st_mode & 0o077 == 0


def test_no_helper_starts_on_a_unit_whose_task_claimed_it(tmp_path):
    claims = PrepareClaims(str(tmp_path))
    assert claims.claim("b") is None  # nobody prepared it: its own run inits
    assert claims.candidates(["a", "b"], "a") == []
    assert claims.prepare_ahead("b", "a", lambda: 1 / 0) is False  # prepare is never called


def test_a_failed_prepare_is_not_retried_by_other_helpers(tmp_path):
    claims = PrepareClaims(str(tmp_path))
    assert claims.prepare_ahead("b", "a", lambda: None) is True  # prepare swallowed an error: None
    assert claims.candidates(["b"], "c") == []
    assert claims.claim("b")["init"] is None  # the unit's own run repeats every step


def test_the_claim_waits_for_a_helper_at_work_and_a_second_helper_skips(tmp_path):
    started, release = multiprocessing.Event(), multiprocessing.Event()
    helper = multiprocessing.Process(target=_prepare_slowly, args=(str(tmp_path), "b", started, release))
    helper.start()
    try:
        assert started.wait(10)
        claims = PrepareClaims(str(tmp_path))
        assert claims.prepare_ahead("b", "other", lambda: 1 / 0) is False  # locked by the first helper
        begun = time.monotonic()
        multiprocessing.Process(target=_release_after, args=(release, 0.4)).start()
        record = claims.claim("b")
        assert time.monotonic() - begun >= 0.35  # waited for the helper's init to end
        assert record["by"] == "helper" and record["init"] == "ran"
    finally:
        release.set()
        helper.join(10)


def _release_after(event, seconds):
    time.sleep(seconds)
    event.set()
