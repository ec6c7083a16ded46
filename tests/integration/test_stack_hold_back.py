"""With the run order's history, units with slack let the critical path start first.

slow (4 s) -> end is the critical path; quick (no latency) has seconds of slack. The first
deploy has no history: nobody holds back. The second (new names, so every unit applies again)
has the first one's times: quick holds back until slow has made its plan, within its limit
(half its slack left once its own time may run a quarter over), and nobody stays marked.
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
    report, records, manifest, _ = deploy_round(tmp_path, local_aws, 1, suffix)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    assert manifest["slack"] == {}  # no history: nobody holds back
    assert all(r.get("held_back") is None for r in records.values()), records

    report, records, manifest, run_dir = deploy_round(tmp_path, local_aws, 2, suffix)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    slack = manifest["slack"]
    assert slack["slow"] == 0 and slack["end"] == 0 and slack["quick"] > 2, slack
    assert set(manifest["hold_back"]) == {"quick"}, manifest["hold_back"]
    assert records["slow"].get("held_back") is None and records["end"].get("held_back") is None
    held = records["quick"]["held_back"]
    # until slow (its init done ahead or not) had planned; never beyond its limit
    assert 0 < held <= manifest["hold_back"]["quick"] + 0.5, (held, manifest)
    assert records["quick"]["started"] - records["quick"]["waiting_since"] >= held - 0.05
    assert {row["unit"]: row["held_back"] for row in report["units"]} == {"slow": None, "quick": held, "end": None}
    assert not os.listdir(run_dir / "starting"), "a unit is still marked as starting"
