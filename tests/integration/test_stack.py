"""Stack playbooks end to end: real ansible-playbook, real terraform, S3/DynamoDB on the moto server.

Deployments are shared: one diamond stack goes fresh plan -> deploy -> idempotent deploy ->
plan -> outputs -> unlock -> --limit -> destroy (tests below run in file order on it); one
"wide" stack carries a slow unit, a failing unit and their neighbours for ready-set scheduling,
failure isolation and resume. Error cases run against a stack whose terraform is a fake that
leaves a mark, proving each is refused before any terraform process starts.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from support.ansible_run import run_playbook

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"
FIXTURES = REPO / "tests" / "fixtures"
MODULES = FIXTURES / "modules"
DIAMOND = FIXTURES / "stacks" / "diamond"
DIAMOND_UNITS = ["network", "data", "iam", "app", "dns", "monitoring"]
DIAMOND_DEPS = {"network": [], "data": ["network"], "iam": ["network"], "app": ["data", "iam"], "dns": ["app"],
                "monitoring": ["app", "data"], "vault": ["network"]}  # vault: added by the fixture below
AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
       "AWS_DEFAULT_REGION": "us-east-1"}
SECRET = "hunter2-do-not-log"


# ----------------------------------------------------------------------------------- helpers

def playbook(project, names, *args, inventory, env, check=True, mode=None):
    """Run repo playbooks (one ansible-playbook process importing them in order)."""
    plays = []
    for name in names:
        entry = {"name": name, "ansible.builtin.import_playbook": str(PLAYBOOKS / name)}
        if mode:
            entry["vars"] = {"stack_mode": mode}
        plays.append(entry)
    return run_playbook(project, plays, *args, inventory=inventory, extra_env=env, check=check)


def summary(project, env_name, mode):
    data = json.loads((project / ".groundwork" / "runs" / ("%s-%s-summary.json" % (env_name, mode))).read_text())
    return data, {row["unit"]: row for row in data["units"]}


def statuses(run_dir):
    return {p.name[len("unit-"):-len(".json")]: json.loads(p.read_text()) for p in Path(run_dir).glob("unit-*.json")}


def check_critical_path(data, records, deps, destroy=False):
    """The summary's critical path is the run's: it ends with the unit that finished last and goes back
    through the unit each one waited for that finished last, to one that waited for none."""
    waits = {u: [d for d in deps if u in deps[d]] for u in deps} if destroy else deps
    ran = {u: r for u, r in records.items() if r["status"] in ("ok", "failed")}
    chain = [step["unit"] for step in data["critical_path"]["units"]]
    assert chain[-1] == max(ran, key=lambda u: ran[u]["finished"]), chain
    for before, unit in zip(chain, chain[1:]):
        assert before == max((u for u in waits[unit] if u in ran), key=lambda u: ran[u]["finished"]), chain
    assert not [u for u in waits[chain[0]] if u in ran], chain
    for step in data["critical_path"]["units"]:
        assert step["seconds"] == round(records[step["unit"]]["finished"] - records[step["unit"]]["started"], 2)
    return chain


def failure_messages(proc):
    """msg of every failed task (the runs use the JSON result format: one line per result)."""
    found = []
    for line in proc.stdout.splitlines():
        if "FAILED! => " in line:
            found.append(json.loads(line.split("FAILED! => ", 1)[1]).get("msg", ""))
    return found


def s3_client(endpoint):
    import boto3
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def read_state(endpoint, bucket, unit, env_name="test"):
    body = s3_client(endpoint).get_object(Bucket=bucket, Key="%s/us-east-1/%s/terraform.tfstate" % (env_name, unit))
    return json.loads(body["Body"].read())


def chain(state):
    return state["outputs"]["chain"]["value"]


def make_inventory(directory, hosts_yml, group_vars):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "group_vars").mkdir(exist_ok=True)
    (directory / "hosts.yml").write_text(hosts_yml if isinstance(hosts_yml, str) else yaml.safe_dump(hosts_yml))
    (directory / "group_vars" / "all.yml").write_text(yaml.safe_dump(group_vars))
    return directory


def stack_env(local_aws, bucket, table, work):
    return dict(AWS, AWS_ENDPOINT_URL=local_aws, GW_TEST_BUCKET=bucket, GW_TEST_TABLE=table, GW_TEST_WORK=str(work),
                ANSIBLE_CALLBACK_RESULT_FORMAT="json")


# ----------------------------------------------------------------------------------- diamond

@pytest.fixture(scope="module")
def diamond(local_aws, tmp_path_factory):
    """The diamond fixture (plus `vault`, a unit with a secret input and a sensitive output), planned
    fresh, deployed, then deployed again; yields the processes and summaries of those runs."""
    project = tmp_path_factory.mktemp("diamond")
    suffix = uuid.uuid4().hex[:10]
    bucket, table = "gw-stack-%s" % suffix, "gw-stack-lock-%s" % suffix
    group_vars = yaml.safe_load((DIAMOND / "group_vars" / "all.yml").read_text())
    group_vars["terraform_modules_dir"] = str(MODULES)  # the fixture's is relative to its own dir
    inventory = make_inventory(project / "inventory", (DIAMOND / "hosts.yml").read_text(), group_vars)
    (inventory / "vault.yml").write_text(yaml.safe_dump({"all": {"children": {"terraform_units": {"hosts": {
        "vault": {"unit_module": "secrets", "unit_dependencies": ["network"],
                  "unit_inputs": {"label": "{{ dependency.network.name }}-vault", "password": SECRET}}}}}}}))
    env = stack_env(local_aws, bucket, table, project / "work")
    run = {"project": project, "inventory": inventory, "env": env, "bucket": bucket, "endpoint": local_aws}
    run["fresh_plan"] = playbook(project, ["bootstrap.yml", "plan.yml"], inventory=inventory, env=env)
    run["fresh_plan_summary"] = summary(project, "test", "plan")
    run["keys_after_fresh_plan"] = [o["Key"] for o in
                                    s3_client(local_aws).list_objects_v2(Bucket=bucket).get("Contents", [])]
    # the backend is bootstrapped already; the second deploy goes through deploy.yml whole
    run["deploy"] = playbook(project, ["stack.yml"], inventory=inventory, env=env, mode="deploy")
    run["deploy_summary"] = summary(project, "test", "deploy")
    run["redeploy"] = playbook(project, ["deploy.yml"], inventory=inventory, env=env)
    run["redeploy_summary"] = summary(project, "test", "deploy")
    return run


def test_plan_of_a_fresh_stack_runs_dependents_on_mocks_and_says_so(diamond):
    data, rows = diamond["fresh_plan_summary"]
    assert data["mode"] == "plan" and data["counts"]["ok"] == 7, data["counts"]
    assert rows["network"]["action"] == "would change" and rows["network"]["add"] == 1
    assert rows["network"]["mocked_dependencies"] == []
    for unit, deps in (("data", "network"), ("iam", "network"), ("vault", "network"), ("app", "data, iam"),
                       ("dns", "app"), ("monitoring", "app, data")):
        assert rows[unit]["note"] == "depends on unknown outputs of %s" % deps, rows[unit]
        assert rows[unit]["action"] == "would change"
    assert diamond["keys_after_fresh_plan"] == []  # nothing applied: no state object yet


def test_deploy_wires_outputs_through_the_diamond(diamond):
    data, rows = diamond["deploy_summary"]
    assert data["counts"] == {"ok": 7, "failed": 0, "skipped": 0, "not run": 0}
    assert all(rows[u]["action"] == "applied" for u in rows), rows
    states = {u: read_state(diamond["endpoint"], diamond["bucket"], u) for u in DIAMOND_UNITS}
    iam_id = states["iam"]["outputs"]["id"]["value"]
    assert chain(states["network"]) == ["network"]
    assert chain(states["data"]) == ["network", "data"]
    assert chain(states["app"]) == ["network", "data", iam_id, "app"]  # both sides of the diamond
    assert chain(states["dns"]) == ["network", "data", iam_id, "app", "dns"]  # real outputs, not its hand mock
    assert chain(states["monitoring"]) == ["app", "data", "monitoring"]
    # the run's order respected every dependency (status-file timestamps)
    records = statuses(data["run_dir"])
    for unit, deps in (("data", ["network"]), ("iam", ["network"]), ("app", ["data", "iam"]),
                       ("dns", ["app"]), ("monitoring", ["app", "data"])):
        for dep in deps:
            assert records[dep]["finished"] <= records[unit]["finished"] - records[unit]["duration"], (unit, dep)
            # started is when its own work began, after the dependency wait (waiting_since: its task start,
            # before or after the dependency finished, as forks allow)
            assert records[dep]["finished"] <= records[unit]["started"], (unit, dep)
            assert records[unit]["waiting_since"] <= records[unit]["started"], (unit, dep)
    path = check_critical_path(data, records, DIAMOND_DEPS)
    assert path[0] == "network", path


def test_second_deploy_reports_no_change(diamond):
    data, rows = diamond["redeploy_summary"]
    assert data["counts"]["ok"] == 7 and data["totals"] == {"add": 0, "change": 0, "destroy": 0}
    assert {row["action"] for row in rows.values()} == {"no change"}
    assert not any(row["changed"] for row in rows.values())
    recap = diamond["redeploy"].stdout.split("PLAY RECAP", 1)[1]
    assert re.findall(r"changed=(\d+)", recap) and set(re.findall(r"changed=(\d+)", recap)) == {"0"}, recap


def test_plan_of_the_deployed_stack_reports_no_change(diamond):
    # fail_on_changes=true turns any change into a failure: rc 0 is the CI gate passing
    playbook(diamond["project"], ["plan.yml"], "-e", "fail_on_changes=true",
             inventory=diamond["inventory"], env=diamond["env"])
    data, rows = summary(diamond["project"], "test", "plan")
    assert {row["action"] for row in rows.values()} == {"no change"}
    assert data["totals"] == {"add": 0, "change": 0, "destroy": 0}
    assert not any(row["mocked_dependencies"] for row in rows.values())


def test_output_playbook_shows_every_unit_with_sensitive_masked(diamond):
    out_file = diamond["project"] / "outputs.json"
    proc = playbook(diamond["project"], ["output.yml"], "-e", "outputs_file=%s" % out_file,
                    inventory=diamond["inventory"], env=diamond["env"])
    outputs = json.loads(out_file.read_text())
    assert sorted(outputs) == sorted(DIAMOND_UNITS + ["vault"])
    assert outputs["app"]["chain"][-1] == "app" and outputs["network"]["name"] == "network"
    assert outputs["vault"] == {"label": "network-vault", "token": "<sensitive>"}
    assert SECRET not in proc.stdout + proc.stderr + out_file.read_text()


def test_limit_to_one_unit_reads_dependency_outputs_from_state_after_unlock(diamond):
    """A dead run's lock on app is released with unlock.yml; then `--limit app` deploys app alone,
    its inputs from data's and iam's states (mocks are refused on deploy, so "no change" proves it)."""
    import boto3
    project, inventory, env = diamond["project"], diamond["inventory"], diamond["env"]
    lock_id = "0b5e7a5c-1d2e-4f60-8a7b-9c0d1e2f3a4b"
    lock_key = "%s/test/us-east-1/app/terraform.tfstate" % diamond["bucket"]
    table = env["GW_TEST_TABLE"]
    dynamodb = boto3.client("dynamodb", endpoint_url=diamond["endpoint"], region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")
    dynamodb.put_item(TableName=table, Item={"LockID": {"S": lock_key}, "Info": {"S": json.dumps({
        "ID": lock_id, "Operation": "OperationTypeApply", "Info": "", "Who": "ghost@gone", "Version": "1.11.4",
        "Created": "2026-01-01T00:00:00Z", "Path": lock_key})}})

    refused = playbook(project, ["unlock.yml"], "-e", "unit=app", inventory=inventory, env=env, check=False)
    assert refused.returncode != 0 and "give both -e unit=<name>" in " ".join(failure_messages(refused))
    playbook(project, ["unlock.yml"], "-e", "unit=app", "-e", "lock_id=%s" % lock_id, inventory=inventory, env=env)
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"LockID": {"S": lock_key}})

    playbook(project, ["stack.yml"], "--limit", "app", inventory=inventory, env=env, mode="deploy")
    data, rows = summary(project, "test", "deploy")
    assert list(rows) == ["app"], rows
    assert rows["app"]["status"] == "ok" and rows["app"]["action"] == "no change", rows["app"]


def test_destroy_runs_in_reverse_order_and_empties_every_state(diamond):
    """Last on the diamond: it tears it down."""
    playbook(diamond["project"], ["destroy.yml"], "-e", "confirm_destroy=test",
             inventory=diamond["inventory"], env=diamond["env"])
    data, rows = summary(diamond["project"], "test", "destroy")
    assert {row["action"] for row in rows.values()} == {"destroyed"}, rows
    records = statuses(data["run_dir"])
    for unit, deps in (("data", ["network"]), ("iam", ["network"]), ("vault", ["network"]),
                       ("app", ["data", "iam"]), ("dns", ["app"]), ("monitoring", ["app", "data"])):
        for dep in deps:  # a dependency is destroyed only after everything that needs it
            assert records[unit]["finished"] <= records[dep]["finished"] - records[dep]["duration"], (unit, dep)
    for unit in DIAMOND_UNITS + ["vault"]:
        state = read_state(diamond["endpoint"], diamond["bucket"], unit)
        assert state["resources"] == [] and state["outputs"] == {}, (unit, state["resources"])
    assert check_critical_path(data, records, DIAMOND_DEPS, destroy=True)[-1] == "network"


# ----------------------------------------------------------------------------------- wide stack

WIDE_DELAY = 10


@pytest.fixture(scope="module")
def wide(local_aws, tmp_path_factory):
    """slow (WIDE_DELAY s) | fast -> after_fast | broken (terraform refuses it) -> after_broken.
    Backend made through the API; deployed once with stack.yml (expected to fail)."""
    import boto3
    project = tmp_path_factory.mktemp("wide")
    suffix = uuid.uuid4().hex[:10]
    bucket, table = "gw-wide-%s" % suffix, "gw-wide-lock-%s" % suffix
    s3_client(local_aws).create_bucket(Bucket=bucket)
    boto3.client("dynamodb", endpoint_url=local_aws, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])
    group_vars = yaml.safe_load((DIAMOND / "group_vars" / "all.yml").read_text())
    group_vars.update(terraform_modules_dir=str(MODULES), env_name="wide")
    inventory = make_inventory(project / "inventory", wide_hosts(broken=True), group_vars)
    env = stack_env(local_aws, bucket, table, project / "work")
    proc = playbook(project, ["stack.yml"], inventory=inventory, env=env, mode="deploy", check=False)
    return {"project": project, "inventory": inventory, "env": env, "bucket": bucket, "endpoint": local_aws,
            "proc": proc, "summary": summary(project, "wide", "deploy")}


def wide_hosts(broken):
    hosts = {
        "slow": {"unit_module": "data_chain", "unit_inputs": {"name": "slow", "delay": str(WIDE_DELAY)}},
        "fast": {"unit_module": "data_chain", "unit_inputs": {"name": "fast"}},
        "after_fast": {"unit_module": "data_chain", "unit_dependencies": ["fast"],
                       "unit_inputs": {"name": "after_fast", "upstream": "{{ dependency.fast.chain }}"}},
        "broken": {"unit_module": "guarded", "unit_inputs": {"name": "broken", "ok": not broken}},
        "after_broken": {"unit_module": "data_chain", "unit_dependencies": ["broken"],
                         "unit_inputs": {"name": "after_broken", "upstream": "{{ dependency.broken.chain }}"}},
    }
    return {"all": {"children": {"terraform_units": {"hosts": hosts}}}}


def test_a_unit_starts_when_its_own_dependencies_finish_not_its_level(wide):
    """after_fast (level 2) needs only fast: it runs and finishes while slow (level 1) still runs."""
    records = statuses(wide["summary"][0]["run_dir"])
    slow, fast, after_fast = records["slow"], records["fast"], records["after_fast"]
    assert slow["status"] == fast["status"] == after_fast["status"] == "ok"
    assert slow["duration"] >= WIDE_DELAY
    assert fast["finished"] <= after_fast["finished"] - after_fast["duration"]
    assert after_fast["finished"] < slow["finished"], (after_fast, slow)
    # the slow unit alone decided when the run ended
    path = wide["summary"][0]["critical_path"]
    assert [step["unit"] for step in path["units"]] == ["slow"] and path["seconds"] >= WIDE_DELAY, path


def test_a_failed_unit_stops_only_its_dependents(wide):
    proc = wide["proc"]
    data, rows = wide["summary"]
    assert proc.returncode != 0
    assert rows["broken"]["status"] == "failed"
    assert "this unit is set up to fail" in " ".join(rows["broken"]["note"].split())
    assert rows["after_broken"]["status"] == "skipped" and rows["after_broken"]["note"] == "blocked by broken"
    assert [rows[u]["status"] for u in ("slow", "fast", "after_fast")] == ["ok"] * 3
    limit = wide["project"] / ".groundwork" / "runs" / "wide-deploy.limit"
    assert limit.read_text().split() == ["broken", "after_broken"]
    assert any("1 unit(s) failed: broken" in msg for msg in failure_messages(proc))


def test_rerun_with_the_limit_file_resumes_the_unfinished_part(wide):
    project = wide["project"]
    make_inventory(wide["inventory"], wide_hosts(broken=False),
                   yaml.safe_load((wide["inventory"] / "group_vars" / "all.yml").read_text()))
    limit = project / ".groundwork" / "runs" / "wide-deploy.limit"
    playbook(project, ["stack.yml"], "--limit", "@%s" % limit, inventory=wide["inventory"], env=wide["env"],
             mode="deploy")
    data, rows = summary(project, "wide", "deploy")
    assert list(rows) == ["broken", "after_broken"]
    assert [rows[u]["action"] for u in rows] == ["applied", "applied"]
    assert not limit.exists()
    assert chain(read_state(wide["endpoint"], wide["bucket"], "after_broken", "wide")) == ["broken", "after_broken"]


# ----------------------------------------------------------------------------------- refusals

@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """A project whose `terraform` is a fake that leaves a mark, and a base stack of three units."""
    project = tmp_path_factory.mktemp("refusals")
    fake_bin = project / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "terraform").write_text("#!/bin/sh\ntouch %s\nexit 1\n" % (project / "terraform-ran"))
    (fake_bin / "terraform").chmod(0o755)
    env = dict(AWS, AWS_ENDPOINT_URL="http://127.0.0.1:9", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               PATH=os.pathsep.join([str(fake_bin), str(Path(sys.executable).parent), os.environ["PATH"]]))
    return {"project": project, "env": env, "marker": project / "terraform-ran"}


def base_units():
    return {
        "a": {"unit_module": "data_chain", "unit_inputs": {"name": "a"}},
        "b": {"unit_module": "data_chain", "unit_dependencies": ["a"],
              "unit_inputs": {"name": "b", "upstream": "{{ dependency.a.chain }}"}},
        "c": {"unit_module": "data_chain", "unit_dependencies": ["b"], "unit_inputs": {"name": "c"}},
    }


def _cycle(units):
    units["a"]["unit_dependencies"] = ["b"]


def _unknown_dependency(units):
    units["c"]["unit_dependencies"] = ["b", "bb"]


def _unknown_module(units):
    units["c"]["unit_module"] = "no_such_module"


def _bad_inputs(units):
    units["a"]["unit_inputs"]["colour"] = "red"                       # not a variable of data_chain
    del units["b"]["unit_inputs"]["name"]                             # required, not given
    units["c"]["unit_inputs"]["upstream"] = "{{ dependency.b.nope }}"  # not an output of data_chain


def _same_state_key(units):
    units["c"]["unit_state_key"] = "err/us-east-1/a/terraform.tfstate"


REFUSALS = [
    ("cycle", _cycle, "deploy", [], ["dependency cycle: a -> b -> a"]),
    ("unknown-dependency", _unknown_dependency, "deploy", [],
     ["unit 'c' depends on 'bb', which is not a unit of this stack (did you mean 'b'?)"]),
    ("unknown-module", _unknown_module, "deploy", [], ["unit c: module 'no_such_module' not found in"]),
    ("undeclared-missing-bad-reference", _bad_inputs, "deploy", [],
     ["unit a: input 'colour' is not a variable of module",
      "unit b: required variable 'name' of module",
      "unit c: dependency.b.nope is not an output of b's module (outputs: chain, id, name)"]),
    ("same-state-key", _same_state_key, "deploy", [],
     ["units 'a' and 'c' share state key 'err/us-east-1/a/terraform.tfstate'"]),
    ("destroy-unconfirmed", None, "destroy", [], ["destroy refused: confirm with -e confirm_destroy=err"]),
    ("destroy-protected", None, "destroy", ["-e", "confirm_destroy=err", "-e", "destroy_protection=true"],
     ["destroy refused: destroy_protection is true for a, b, c"]),
]


@pytest.mark.parametrize("case, mutate, mode, args, expected", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_before_any_terraform_runs(refusals, case, mutate, mode, args, expected):
    units = base_units()
    if mutate:
        mutate(units)
    project = refusals["project"] / case
    inventory = make_inventory(project / "inventory", {"all": {"children": {"terraform_units": {"hosts": units}}}},
                               {"env_name": "err", "aws_region": "us-east-1", "tf_state_bucket": "never-touched",
                                "tf_lock_table": "never-touched", "aws_endpoint_url": "http://127.0.0.1:9",
                                "terraform_modules_dir": str(MODULES), "groundwork_work_root": str(project / "w")})
    # deploy.yml itself: it validates the whole stack before bootstrapping anything (the backend's
    # endpoint is unreachable, so a bootstrap that ran first would fail with another message)
    proc = playbook(project, ["%s.yml" % mode], *args, inventory=inventory, env=refusals["env"], check=False)
    assert proc.returncode != 0
    messages = " ".join(failure_messages(proc))
    for text in expected:
        assert text in messages, "%r not in %r" % (text, messages)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not refusals["marker"].exists(), "terraform ran"
    assert not (project / ".groundwork" / "runs").exists() and not (project / "w").exists()
    assert not (project / ".groundwork" / "backends").exists()  # no backend was bootstrapped


def test_deploy_of_units_with_local_state_bootstraps_no_backend(refusals, terraform_bin, tmp_path):
    """allow_local_state units (no tf_state_bucket) deploy with deploy.yml: no backend, no AWS call
    (the endpoint is unreachable), outputs wired through the local state files."""
    units = {"a": {"unit_module": "data_chain", "unit_inputs": {"name": "a"}},
             "b": {"unit_module": "data_chain", "unit_dependencies": ["a"],
                   "unit_inputs": {"name": "b", "upstream": "{{ dependency.a.chain }}"}}}
    inventory = make_inventory(tmp_path / "inventory", {"all": {"children": {"terraform_units": {"hosts": units}}}},
                               {"env_name": "loc", "aws_region": "us-east-1", "allow_local_state": True,
                                "aws_endpoint_url": "http://127.0.0.1:9", "terraform_modules_dir": str(MODULES),
                                "groundwork_work_root": str(tmp_path / "w")})
    env = dict(refusals["env"], PATH=os.pathsep.join([str(Path(terraform_bin).parent),
                                                      str(Path(sys.executable).parent), os.environ["PATH"]]))
    playbook(tmp_path, ["deploy.yml"], inventory=inventory, env=env)
    data, rows = summary(tmp_path, "loc", "deploy")
    assert [rows[u]["action"] for u in ("a", "b")] == ["applied", "applied"]
    # local state lives in the unit's work dir, kept per inventory directory
    state_file, = (tmp_path / "w" / "units" / "local-state").glob("inventory-*/loc/us-east-1/b/terraform.tfstate")
    state = json.loads(state_file.read_text())
    assert chain(state) == ["a", "b"]
    assert not (tmp_path / ".groundwork" / "backends").exists()


def test_validate_and_graph_are_offline(refusals):
    """The diamond validated and drawn with an unreachable endpoint and a terraform that leaves a mark."""
    project = refusals["project"] / "graph"
    project.mkdir()
    env = dict(refusals["env"], GW_TEST_BUCKET="never-touched", GW_TEST_TABLE="never-touched",
               GW_TEST_WORK=str(project / "w"))
    proc = playbook(project, ["validate.yml", "graph.yml"], "-e", "graph_dir=graph", inventory=DIAMOND, env=env)
    for line in ("6 units valid; 4 layers", "layer 1: network", "layer 2: data, iam", "layer 3: app",
                 "layer 4: dns, monitoring"):
        assert proc.stdout.count(line) == 2, line  # once from validate.yml, once from graph.yml
    graph = project / "graph"  # -e graph_dir is relative to the directory ansible-playbook runs in
    assert graph.joinpath("test.mmd").read_text().startswith("flowchart BT")
    dot = graph.joinpath("test.dot").read_text()
    assert '"app" -> "data";' in dot and '"app" -> "iam";' in dot and "{ rank=same; \"data\"; \"iam\"; }" in dot
    if shutil.which("dot", path=env["PATH"]):
        assert graph.joinpath("test.png").read_bytes()[:4] == b"\x89PNG"
    else:  # graphviz is not installed here: the playbook says so instead of failing
        assert "PNG skipped: graphviz (the dot command) is not installed" in proc.stdout
        assert not graph.joinpath("test.png").exists()
    assert not refusals["marker"].exists(), "terraform ran"
