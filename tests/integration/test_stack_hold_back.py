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
from pathlib import Path

import pytest
import yaml

from support.ansible_run import run_playbook

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def hosts(round_):
    return {
        "slow": {"unit_module": "data_chain", "unit_inputs": {"name": "slow-%d" % round_, "delay": "4"}},
        "quick": {"unit_module": "data_chain", "unit_inputs": {"name": "quick-%d" % round_}},
        "end": {"unit_module": "data_chain", "unit_dependencies": ["slow"],
                "unit_inputs": {"name": "end-%d" % round_, "upstream": "{{ dependency.slow.chain }}"}},
    }


def deploy(tmp_path, local_aws, round_, suffix):
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True, exist_ok=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump(
        {"all": {"children": {"terraform_units": {"hosts": hosts(round_)}}}}))
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump({
        "env_name": "holdback", "aws_region": "us-east-1", "aws_endpoint_url": local_aws,
        "tf_state_bucket": "gw-holdback-%s" % suffix, "tf_lock_table": "gw-holdback-lock-%s" % suffix,
        "tf_state_enforce_tls": False, "terraform_modules_dir": str(REPO / "tests" / "fixtures" / "modules"),
        "groundwork_work_root": str(tmp_path / "work")}))
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws}
    run_playbook(tmp_path, [{"ansible.builtin.import_playbook": str(REPO / "playbooks" / "deploy.yml")}],
                 "-f", "3", inventory=inventory, extra_env=env, timeout=600)
    report = json.loads((tmp_path / ".groundwork" / "runs" / "holdback-deploy-summary.json").read_text())
    run_dir = Path(report["run_dir"])
    records = {p.name[len("unit-"):-len(".json")]: json.loads(p.read_text()) for p in run_dir.glob("unit-*.json")}
    return report, records, json.loads((run_dir / "run.json").read_text()), run_dir


def test_units_with_slack_hold_back_for_the_critical_path_once_there_is_history(local_aws, tmp_path):
    suffix = uuid.uuid4().hex[:10]
    report, records, manifest, _ = deploy(tmp_path, local_aws, 1, suffix)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    assert manifest["slack"] == {}  # no history: nobody holds back
    assert all(r.get("held_back") is None for r in records.values()), records

    report, records, manifest, run_dir = deploy(tmp_path, local_aws, 2, suffix)
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
