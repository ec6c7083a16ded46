"""With the run order's history, units with slack let the critical path start first.

slow (4 s) -> end is the critical path; quick (no latency) has seconds of slack. The first
deploy has no history: units start in run order, as many at once as the controller has cores
(slow first: the longer chain; on one core quick waits until slow has planned). The second
(new names, so every unit applies again) has the first one's times: quick's own work begins once
slow has made its plan, holding back within its limit (half its slack left once its own time may
run a quarter over), and nobody stays marked.
"""
from __future__ import annotations

import json
import os
import uuid

import pytest

from support.stack_deploy import deploy

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def hosts(round_):
    return {
        "slow": {"unit_module": "data_chain", "unit_inputs": {"name": "slow-%d" % round_, "delay": "4"}},
        "quick": {"unit_module": "data_chain", "unit_inputs": {"name": "quick-%d" % round_}},
        "end": {"unit_module": "data_chain", "unit_dependencies": ["slow"],
                "unit_inputs": {"name": "end-%d" % round_, "upstream": "{{ dependency.slow.chain }}"}},
    }


def deploy_round(tmp_path, local_aws, round_, suffix):
    report, records, run_dir = deploy(tmp_path, local_aws, "holdback", {"hosts": hosts(round_)}, forks=3, suffix=suffix)
    return report, records, json.loads((run_dir / "run.json").read_text()), run_dir


def test_units_with_slack_hold_back_for_the_critical_path_once_there_is_history(local_aws, tmp_path):
    suffix = uuid.uuid4().hex[:10]
    report, records, manifest, run_dir = deploy_round(tmp_path, local_aws, 1, suffix)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    assert manifest["slack"] == {} and manifest["hold_back"] == {}  # no history: no slack to hold back for
    assert manifest["start_in_order"] == max(1, os.cpu_count() or 1) and manifest["units"][0] == "slow"
    assert records["slow"]["held_back"] == 0, records["slow"]  # nobody ahead of it
    assert records["slow"]["planned_at"] and records["quick"]["planned_at"]  # every unit marks its start
    assert 0 <= records["quick"]["held_back"] <= 1.5, records["quick"]
    if manifest["start_in_order"] >= 2:
        assert records["quick"]["held_back"] < 0.1, records["quick"]  # one ahead starting, two may
    assert not os.listdir(run_dir / "starting"), "a unit is still marked as starting"

    report, records, manifest, run_dir = deploy_round(tmp_path, local_aws, 2, suffix)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    slack = manifest["slack"]
    assert manifest["start_in_order"] == 0  # with history: the critical path goes first instead
    assert slack["slow"] == 0 and slack["end"] == 0 and slack["quick"] > 2, slack
    assert set(manifest["hold_back"]) == {"quick"}, manifest["hold_back"]
    assert records["slow"].get("held_back") is None and records["end"].get("held_back") is None
    held, limit = records["quick"]["held_back"], manifest["hold_back"]["quick"]
    assert 0 <= held <= limit + 0.5, (held, manifest)
    assert records["quick"]["started"] - records["quick"]["waiting_since"] >= held - 0.05
    # quick's own work began once slow had planned (or its limit ran out). Held 0 is right when
    # slow planned before quick got there: slow's worker may prepare quick's init meanwhile (its
    # task then waits for that init), and slow's second plan is fast.
    planned_at = records["slow"]["planned_at"]
    assert planned_at and records["slow"]["started"] < planned_at < records["slow"]["finished"], records["slow"]
    assert records["quick"]["started"] >= planned_at - 0.05 or held >= limit - 0.05, (records, manifest)
    assert {row["unit"]: row["held_back"] for row in report["units"]} == {"slow": None, "quick": held, "end": None}
    assert not os.listdir(run_dir / "starting"), "a unit is still marked as starting"
