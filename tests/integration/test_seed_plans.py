"""Every seed system plans against the local endpoint with the real AWS provider.

One environment per system: playbooks/plan.yml runs on inventories/examples/<system>/<env> as
users run it, with the endpoint, the provider mirror, a shared plugin cache and a throwaway
state bucket given as extra vars. Nothing is applied (but for a unit another one reads through a
data source while planning, see DEPLOY_FIRST), so dependents plan on mock outputs: the ones
derived from the module's outputs.tf, shaped like the AWS values they stand for, under the few
the inventory declares. The provider and the modules' validations check those values (an ARN, a
vpc- id, two subnets, a CIDR): this keeps the derived mocks honest. The summary must report the
mocks per unit.

Cost: about 60 units, each a terraform init, plan and show with the AWS provider (roughly 9 s of
CPU apiece): about 5 minutes on two idle cores.
"""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
import yaml

from support.ansible_run import REPO, own_lock_note, run_playbook

pytestmark = [pytest.mark.terraform, pytest.mark.aws_provider, pytest.mark.slow]

INVENTORIES = REPO / "inventories" / "examples"
# one environment per system; the others differ in values only (test_inventories validates them)
SEED_PLANS = (("redshift-spectra", "dev"), ("fast-api-jwt", "production"), ("invoice", "dev"),
              ("sarc-ng", "dev"), ("muejam", "dev"))
# Values that exist only in the seed's real account, replaced by ones the endpoint knows: the asg
# module reads its AMI (data "aws_ami", for the root device name), so MueJam's pinned AMI must exist.
ACCOUNT_VALUES = {"muejam": ("ami_id",)}
# Units deployed before the plan because a dependent reads them through a data source at plan time,
# which no mock can satisfy: MueJam's elasticache reads its AUTH token from the secret (see the
# comment in its host_vars). The plan then takes that unit's real outputs instead of mocks.
DEPLOY_FIRST = {"muejam": ("redis_auth_token",)}
AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
       "AWS_DEFAULT_REGION": "us-east-1"}
TIMINGS = {}


@pytest.fixture(scope="module")
def plan_backend(local_aws, tmp_path_factory, provider_mirror):
    """One state bucket, lock table and plugin cache for every seed plan of this module."""
    import boto3
    suffix = uuid.uuid4().hex[:10]
    bucket, table = "gw-seed-plans-%s" % suffix, "gw-seed-plans-lock-%s" % suffix
    session = dict(endpoint_url=local_aws, region_name="us-east-1", aws_access_key_id="test",
                   aws_secret_access_key="test")
    boto3.client("s3", **session).create_bucket(Bucket=bucket)
    boto3.client("dynamodb", **session).create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])
    images = boto3.client("ec2", **session).describe_images(Owners=["amazon"])["Images"]
    return {"extra_vars": {"aws_endpoint_url": local_aws, "tf_state_bucket": bucket, "tf_lock_table": table,
                           "terraform_provider_mirror": provider_mirror,
                           "terraform_plugin_cache_dir": str(tmp_path_factory.mktemp("plugin-cache"))},
            "account_values": {"ami_id": sorted(image["ImageId"] for image in images)[0]}}


def _hosts(inventory):
    """Every unit the inventory's hosts.yml declares, through its child groups."""
    hosts = set()

    def walk(group):
        hosts.update((group or {}).get("hosts") or {})
        for child in ((group or {}).get("children") or {}).values():
            walk(child)
    walk(yaml.safe_load((inventory / "hosts.yml").read_text())["all"])
    return hosts


@pytest.mark.parametrize("system,env", SEED_PLANS, ids=["%s-%s" % pair for pair in SEED_PLANS])
def test_seed_system_plans_against_the_local_endpoint(system, env, plan_backend, tmp_path):
    inventory = INVENTORIES / system / env
    extra_vars = dict(plan_backend["extra_vars"])
    extra_vars.update({name: plan_backend["account_values"][name] for name in ACCOUNT_VALUES.get(system, ())})
    aws_vars = dict(AWS, AWS_ENDPOINT_URL=extra_vars["aws_endpoint_url"])
    deployed = DEPLOY_FIRST.get(system, ())
    started = time.monotonic()
    if deployed:
        run_playbook(tmp_path, [{"ansible.builtin.import_playbook": str(REPO / "playbooks" / "stack.yml"),
                                 "vars": {"stack_mode": "deploy"}}],
                     "-e", json.dumps(extra_vars), "--limit", ",".join(deployed), inventory=inventory,
                     extra_env=aws_vars, timeout=900)
    proc = run_playbook(tmp_path, [{"ansible.builtin.import_playbook": str(REPO / "playbooks" / "plan.yml")}],
                        "-e", json.dumps(extra_vars), inventory=inventory, check=False, extra_env=aws_vars,
                        timeout=900)
    TIMINGS["%s/%s" % (system, env)] = round(time.monotonic() - started, 1)
    summaries = list((tmp_path / ".groundwork" / "runs").glob("*-plan-summary.json"))
    assert proc.returncode == 0 and len(summaries) == 1, "plan of %s/%s failed (rc %d)%s:\n%s\n%s" % (
        system, env, proc.returncode, own_lock_note(proc.stdout + proc.stderr), proc.stdout[-8000:],
        proc.stderr[-3000:])
    report = json.loads(summaries[0].read_text())
    rows = {row["unit"]: row for row in report["units"]}
    # dependencies as the run resolved them from the merged inventory variables
    resolved = json.loads((Path(report["run_dir"]) / "run.json").read_text())["resolved"]
    declared = {unit: cfg["dependencies"] for unit, cfg in resolved.items()}
    assert sorted(rows) == sorted(declared) == sorted(_hosts(inventory))
    assert any(declared.values()), "a seed system without dependencies tests no mocks"
    assert report["mode"] == "plan" and report["counts"]["ok"] == len(declared), report["counts"]
    for unit, deps in declared.items():
        row = rows[unit]
        assert row["status"] == "ok", row
        assert row["change"] == 0 and row["destroy"] == 0, row
        if unit in deployed:
            assert row["action"] == "no change" and row["add"] == 0, row
        else:  # a fresh unit: something to create
            assert row["action"] == "would change" and row["add"] > 0, row
        # every dependency without state is mocked, and the report says so; deployed ones are not
        assert sorted(row["mocked_dependencies"]) == sorted(d for d in deps if d not in deployed), row
        if row["mocked_dependencies"]:
            assert row["note"] == "depends on unknown outputs of %s" % ", ".join(row["mocked_dependencies"]), row
        else:
            assert row["note"] == "", row
    print("seed plan %s/%s: %d units in %.1f s" % (system, env, len(declared), TIMINGS["%s/%s" % (system, env)]))


def test_secrets_manager_secret_deploys_as_a_unit(plan_backend, aws_env, boto_clients, tmp_path):
    """The module as a unit's root module, where terraform refuses an output derived from a sensitive
    value unless it is marked: has_value compares the sensitive secret_string with null. (Local
    state: this is about the module, not the backend.)"""
    from ansible_collections.groundwork.terraform.plugins.module_utils.unit import UnitRunner, UnitSpec

    settings = plan_backend["extra_vars"]
    name = "gw-seed/%s/api-key" % uuid.uuid4().hex[:8]
    secret = "s3cr3t-%s" % uuid.uuid4().hex
    options = dict(name="secret", source=str(REPO / "terraform-modules" / "secrets-manager-secret"),
                   work_dir=str(tmp_path / "work"),
                   inputs={"name": name, "secret_string": secret, "recovery_window_in_days": 0},
                   plugin_cache_dir=settings["terraform_plugin_cache_dir"],
                   provider_mirror=settings["terraform_provider_mirror"],
                   aws_provider={"region": "us-east-1", "endpoint_url": settings["aws_endpoint_url"]})
    applied = UnitRunner(UnitSpec(**options)).run()
    assert applied["changed"] and applied["plan"]["add"] == 2, applied
    assert applied["outputs"]["has_value"] is True
    assert applied["outputs"]["secret_name"] == name
    assert secret not in json.dumps(dict(applied))
    stored = boto_clients("secretsmanager").get_secret_value(SecretId=applied["outputs"]["secret_arn"])
    assert stored["SecretString"] == secret
    destroyed = UnitRunner(UnitSpec(state="absent", **options)).run()
    assert destroyed["plan"]["destroy"] == 2
    names = [s["Name"] for s in boto_clients("secretsmanager").list_secrets()["SecretList"]]
    assert name not in names
