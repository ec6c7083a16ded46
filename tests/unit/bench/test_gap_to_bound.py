"""bench/analyze.gap_to_bound: the parts of a deploy's time over the critical-path bound add up."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import analyze  # noqa: E402  pylint: disable=wrong-import-position


def _row(task_start, graph_ready, finished, intervals):
    return {"task_start": task_start, "graph_ready": graph_ready, "finished": finished, "tf_intervals": intervals}


def test_a_two_unit_path_splits_into_its_parts():
    # process 100.0 - 110.0; a: task at 101.0, init 101.1-101.3, apply 101.3-104.5 (3.0 alone), done 104.6;
    # b: ready 104.6, a fork only at 104.9 (queued 0.3), started work 104.95, its init ahead (before),
    # apply 105.0-108.2 (3.1 alone), done 108.3; the process ends 110.0
    run = {"started": 100.0, "wall": 10.0, "units": {
        "a": _row(101.0, 101.0, 104.6, [[101.1, 101.3, "init"], [101.3, 104.5, "apply"]]),
        "b": _row(104.9, 104.6, 108.3, [[102.0, 102.2, "init"], [105.0, 108.2, "apply"]]),
    }}
    gap = analyze.gap_to_bound(run, ["a", "b"], {"a": 3.0, "b": 3.1})
    assert gap["before"] == pytest.approx(1.0)
    assert gap["queued"] == pytest.approx(0.3)
    assert gap["init"] == pytest.approx(0.2)           # a's own init; b's was done ahead of need
    assert gap["apply_slower"] == pytest.approx(0.3)   # 3.2 - 3.0 + 3.2 - 3.1
    assert gap["handover"] == pytest.approx(0.2 + 0.2)      # before and after terraform, in a and in b
    assert gap["off_path"] == pytest.approx(0.0)
    assert gap["after"] == pytest.approx(1.7)
    assert gap["total"] == pytest.approx(10.0 - 6.1)   # wall - bound


def test_a_later_dependency_off_the_path_is_its_own_part():
    run = {"started": 0.0, "wall": 9.0, "units": {
        "a": _row(1.0, 1.0, 4.0, [[1.0, 4.0, "apply"]]),
        "b": _row(1.0, 4.5, 8.0, [[4.5, 8.0, "apply"]]),  # another dependency of b ended at 4.5
    }}
    gap = analyze.gap_to_bound(run, ["a", "b"], {"a": 3.0, "b": 3.5})
    assert gap["off_path"] == pytest.approx(0.5)
    assert gap["total"] == pytest.approx(9.0 - 6.5)


def test_a_unit_without_timings_gives_no_split():
    run = {"started": 0.0, "wall": 5.0, "units": {"a": {"status": "failed"}}}
    assert analyze.gap_to_bound(run, ["a"], {"a": 1.0}) is None
