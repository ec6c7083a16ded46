"""Lookup groundwork.terraform.unit_outputs through real ansible-playbook runs.

The states are a real terraform state (tests/support/tf_state.py) uploaded to a bucket on the
moto server; the units are hosts of a tiny inventory, as in a stack. A `terraform` on PATH that
leaves a mark proves no terraform process runs.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

from support.ansible_run import run_playbook
from support.tf_state import SAMPLE_OUTPUTS, applied_state

FIXTURE_MODULES = Path(__file__).resolve().parents[1] / "fixtures" / "modules"
LOOKUP = "groundwork.terraform.unit_outputs"

pytestmark = pytest.mark.terraform  # the states read back are made by a real terraform apply


@pytest.fixture(scope="module")
def state_file(terraform_bin, tmp_path_factory):
    return applied_state(terraform_bin, tmp_path_factory.getbasetemp())


@pytest.fixture
def stack(tmp_path, boto_clients, unique_name, local_aws, state_file):
    """Inventory of four units: network (state at the default key), database (state at unit_state_key),
    cache (no state yet) and legacy (no tf_state_bucket; the play gives it a backend_config fact)."""
    bucket, other = unique_name("state"), unique_name("legacy")
    s3 = boto_clients("s3")
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=other)
    s3.put_object(Bucket=bucket, Key="dev/us-east-1/network/terraform.tfstate", Body=state_file.read_bytes())
    database_state = json.loads(state_file.read_text())
    database_state["outputs"] = {"endpoint": {"value": "db.internal:5432", "type": "string"},
                                 # state is data: a value that looks like a template must stay text
                                 "banner": {"value": "{{ 6 * 7 }}", "type": "string"}}
    s3.put_object(Bucket=bucket, Key="custom/database.tfstate", Body=json.dumps(database_state))
    s3.put_object(Bucket=other, Key="legacy.tfstate", Body=state_file.read_bytes())
    inventory = {"all": {"children": {"terraform_units": {
        "hosts": {
            "network": {},
            "database": {"unit_state_key": "custom/database.tfstate"},
            "cache": {"unit_module": "data_chain", "terraform_modules_dir": str(FIXTURE_MODULES),
                      "unit_mock_outputs": {"name": "overridden"}},
            "legacy": {"tf_state_bucket": None},
        },
        "vars": {"ansible_connection": "local", "env_name": "dev", "aws_region": "us-east-1",
                 "tf_state_bucket": bucket, "aws_endpoint_url": local_aws},
    }}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    # A terraform that leaves a mark: the lookup must never start one.
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "terraform").write_text("#!/bin/sh\ntouch %s\nexit 1\n" % (tmp_path / "terraform-ran"))
    (fake_bin / "terraform").chmod(0o755)
    return {"bucket": bucket, "other": other, "inventory": tmp_path / "inventory.yml",
            "env": {"PATH": os.pathsep.join([str(fake_bin), str(Path(sys.executable).parent), os.environ["PATH"]])}, "marker": tmp_path / "terraform-ran"}


def play(stack, tmp_path, tasks, check=True, legacy_backend=None):
    plays = []
    if legacy_backend:
        plays.append({"name": "give legacy a backend_config fact, as the backend role does", "hosts": "legacy",
                      "gather_facts": False,
                      "tasks": [{"ansible.builtin.set_fact": {"backend_config": legacy_backend}}]})
    plays.append({"name": "read outputs", "hosts": "localhost", "gather_facts": False, "tasks": tasks})
    return run_playbook(tmp_path, plays, "-e", "ansible_python_interpreter=%s" % sys.executable,
                        inventory=stack["inventory"], extra_env=stack["env"], check=check)


def save(tmp_path, name, expression):
    return {"ansible.builtin.copy": {"content": "{{ %s | to_json }}" % expression,
                                     "dest": str(tmp_path / ("%s.json" % name)), "mode": "0600"}}


def test_outputs_masking_mocks_and_backends_in_one_run(stack, tmp_path, local_aws):
    legacy_backend = {"bucket": stack["other"], "region": "us-east-1", "key": "legacy.tfstate",
                      "endpoints": {"s3": local_aws}, "use_lockfile": True}
    no_bucket = dict(legacy_backend, bucket="no-such-bucket-here")
    expressions = {
        "masked": "lookup('%s', 'network')",
        "revealed": "lookup('%s', 'network', sensitive=true)",
        "both": "query('%s', 'network', 'database')",
        "empty": "lookup('%s', 'cache', missing='empty')",
        "mock": "lookup('%s', 'cache', missing='mock')",
        "legacy": "lookup('%s', 'legacy')",
        "override": "lookup('%s', 'anything', backend=" + json.dumps(legacy_backend) + ")",
        "no_bucket_mock": "lookup('%s', 'cache', missing='mock', backend=" + json.dumps(no_bucket) + ")",
    }
    tasks = [
        {"name": "show masked outputs", "ansible.builtin.debug": {"msg": "{{ lookup('%s', 'network') }}" % LOOKUP}},
        {"name": "values work in expressions",
         "ansible.builtin.assert": {"that": ["lookup('%s', 'network').subnet_ids | length == 2" % LOOKUP,
                                             "lookup('%s', 'network').settings.azs == 2" % LOOKUP]}},
        save(tmp_path, "result", "{%s}" % ", ".join("'%s': %s" % (name, expression % LOOKUP)
                                                     for name, expression in expressions.items())),
    ]
    proc = play(stack, tmp_path, tasks, legacy_backend=legacy_backend)
    result = json.loads((tmp_path / "result.json").read_text())

    masked = dict(SAMPLE_OUTPUTS, db_password="<sensitive>")
    assert result["masked"] == masked
    assert result["revealed"] == SAMPLE_OUTPUTS
    assert result["both"] == [masked, {"endpoint": "db.internal:5432", "banner": "{{ 6 * 7 }}"}]
    assert result["empty"] == {}
    # typed from data_chain's outputs.tf, with the unit's unit_mock_outputs on top
    assert result["mock"] == {"chain": ["mock-cache-chain"], "id": "mock-cache-id", "name": "overridden"}
    assert result["legacy"] == masked
    assert result["override"] == masked
    assert result["no_bucket_mock"] == result["mock"]  # no bucket yet (not bootstrapped): no state either
    assert "vpc-0abc" in proc.stdout and "<sensitive>" in proc.stdout
    assert SAMPLE_OUTPUTS["db_password"] not in proc.stdout + proc.stderr
    assert not stack["marker"].exists(), "the lookup started terraform"


# (terms, options, the error message)
ERRORS = [
    (["cache"], {}, "unit cache has no state at s3://{bucket}/dev/us-east-1/cache/terraform.tfstate; deploy it first"),
    (["cache"], {"backend": {"bucket": "no-such-bucket-here", "region": "us-east-1"}},
     "unit cache has no state: its state bucket no-such-bucket-here does not exist; bootstrap the backend and "
     "deploy the unit first"),
    (["nosuchunit"], {},
     "unit nosuchunit is not a host of the inventory; name a unit, or pass backend= (bucket, region, key)"),
    (["legacy"], {}, "unit legacy has no S3 state backend: tf_state_bucket is not set"),
    (["network"], {"senstive": True},
     "unit_outputs: unknown option senstive; valid options: access_key, backend, endpoint_url"),
    (["network", "database"], {"key": "k.tfstate"},
     "unit_outputs: key names one state, but 2 units were given (network, database)"),
    (["network"], {"endpoint_url": "http://127.0.0.1:9"},
     "unit network: reading state s3://{bucket}/dev/us-east-1/network/terraform.tfstate: AWS endpoint unreachable "
     "at http://127.0.0.1:9"),
]


def test_errors_are_one_clear_line(stack, tmp_path):
    # One looping task (one worker process) calls the lookup as lookup(name, *terms, **options).
    tasks = [
        {"name": "each error", "ansible.builtin.debug": {"msg": "{{ lookup('%s', *item.terms, **item.options) }}" % LOOKUP},
         "loop": [{"terms": terms, "options": options} for terms, options, _ in ERRORS],
         "register": "errors", "ignore_errors": True},
        save(tmp_path, "errors", "errors.results"),
    ]
    stack["env"]["AWS_MAX_ATTEMPTS"] = "1"  # the unreachable endpoint fails at once
    play(stack, tmp_path, tasks)
    results = json.loads((tmp_path / "errors.json").read_text())
    assert len(results) == len(ERRORS)
    for (terms, options, message), result in zip(ERRORS, results):
        assert result.get("failed"), (terms, options)
        assert message.format(bucket=stack["bucket"]) in result["msg"], (terms, options, result["msg"])
        assert "Traceback" not in result["msg"]
    assert not stack["marker"].exists()
