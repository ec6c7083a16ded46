"""Deploy a stack of fixture units on the local endpoint with the real deploy.yml; read its records."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import yaml
from support.ansible_run import run_playbook

REPO = Path(__file__).resolve().parents[2]


def write_inventory(tmp_path, local_aws, env_name, units, suffix=None):
    """``units``: the terraform_units group (``{"hosts": ...}`` and/or ``{"children": ...}``).
    Each stack gets its own state bucket and lock table (``suffix``: keep them across deploys)."""
    suffix = suffix or uuid.uuid4().hex[:10]
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True, exist_ok=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"terraform_units": units}}}))
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump({
        "env_name": env_name, "aws_region": "us-east-1", "aws_endpoint_url": local_aws,
        "tf_state_bucket": "gw-%s-%s" % (env_name, suffix), "tf_lock_table": "gw-%s-lock-%s" % (env_name, suffix),
        "tf_state_enforce_tls": False, "terraform_modules_dir": str(REPO / "tests" / "fixtures" / "modules"),
        "groundwork_work_root": str(tmp_path / "work")}))
    return inventory


def deploy(tmp_path, local_aws, env_name, units, forks, suffix=None, timeout=600):
    """deploy.yml with ``-f forks``; returns (summary, {unit: status record}, run dir)."""
    inventory = write_inventory(tmp_path, local_aws, env_name, units, suffix)
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws}
    run_playbook(tmp_path, [{"ansible.builtin.import_playbook": str(REPO / "playbooks" / "deploy.yml")}],
                 "-f", str(forks), inventory=inventory, extra_env=env, timeout=timeout)
    report = json.loads((tmp_path / ".groundwork" / "runs" / ("%s-deploy-summary.json" % env_name)).read_text())
    run_dir = Path(report["run_dir"])
    records = {p.name[len("unit-"):-len(".json")]: json.loads(p.read_text()) for p in run_dir.glob("unit-*.json")}
    return report, records, run_dir
