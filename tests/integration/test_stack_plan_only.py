"""unit_plan_only on a real deploy: the unit is planned every time, never applied, and a deploy
reports it unchanged (so a re-deploy of inventories/local is idempotent), while the summary says
what its plan would do."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import boto3
import pytest
import yaml

from support.ansible_run import run_playbook

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def test_plan_only_unit_is_planned_never_applied_and_reported_unchanged(local_aws, tmp_path):
    suffix = uuid.uuid4().hex[:10]
    bucket = "gw-planonly-%s" % suffix
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"terraform_units": {"hosts": {
        "base": {"unit_module": "data_chain", "unit_inputs": {"name": "base"}},
        "emulated_not": {"unit_module": "data_chain", "unit_dependencies": ["base"], "unit_plan_only": True,
                         "unit_inputs": {"name": "{{ dependency.base.name }}-planned"}},
    }}}}}))
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump({
        "env_name": "planonly", "aws_region": "us-east-1", "aws_endpoint_url": local_aws,
        "tf_state_bucket": bucket, "tf_lock_table": "gw-planonly-lock-%s" % suffix,
        "tf_state_enforce_tls": False, "terraform_modules_dir": str(REPO / "tests" / "fixtures" / "modules"),
        "groundwork_work_root": str(tmp_path / "work")}))
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws}
    deploy = [{"ansible.builtin.import_playbook": str(REPO / "playbooks" / "deploy.yml")}]
    summary_file = tmp_path / ".groundwork" / "runs" / "planonly-deploy-summary.json"

    for attempt in ("first", "second"):
        proc = run_playbook(tmp_path, deploy, inventory=inventory, extra_env=env, timeout=600)
        rows = {row["unit"]: row for row in json.loads(summary_file.read_text())["units"]}
        planned = rows["emulated_not"]
        assert planned["status"] == "ok" and planned["action"] == "plan only: would change", (attempt, planned)
        assert planned["add"] == 1 and planned["changed"] is False, (attempt, planned)
        recap = re.search(r"emulated_not\s*:.*changed=(\d+)", proc.stdout)
        assert recap and recap.group(1) == "0", (attempt, proc.stdout[-2000:])
        # planned on the real output of its dependency, not on a mock
        assert planned["mocked_dependencies"] == [], planned
    assert rows["base"]["action"] == "no change"  # the second deploy
    s3 = boto3.client("s3", endpoint_url=local_aws, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["planonly/us-east-1/base/terraform.tfstate"], keys  # never applied: no state object
