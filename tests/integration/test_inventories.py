"""The user-facing inventories: every one validates offline through real ansible-playbook.

Covers inventories/local|dev|staging|prod (the reference platform) and every seed system under
inventories/examples/<system>/<env>. Each inventory is validated once per module run, in one
ansible-playbook process: groundwork.terraform.stack_run in validate mode, whose result (order,
layers, resolved units) the tests inspect, then playbooks/validate.yml as users run it. No
cloud and no terraform process: validation reads the modules with python-hcl2.
"""
from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from support.ansible_run import BIN, REPO, ansible_env, run_playbook

INVENTORIES = REPO / "inventories"
MAIN_ENVS = ("local", "dev", "staging", "prod")
EXAMPLES = tuple(sorted(str(p.relative_to(INVENTORIES)) for p in INVENTORIES.glob("examples/*/*")
                        if (p / "hosts.yml").is_file()))
SEED_SYSTEMS = {"redshift-spectra": {"local", "dev", "prod"}, "fast-api-jwt": {"production"},
                "invoice": {"dev", "prod"}, "sarc-ng": {"dev", "staging", "prod"},
                "muejam": {"dev", "staging", "production"}}
FIXTURE_MODULES = REPO / "tests" / "fixtures" / "modules"


def _validate_plays(result_file, destroy_check=False):
    """stack_run(validate) saving its result, then playbooks/validate.yml as users run it."""
    tasks = [
        {"name": "validate", "groundwork.terraform.stack_run": {"mode": "validate"},
         "run_once": True, "register": "validated"},
    ]
    if destroy_check:
        tasks.append({"name": "destroy must be refused", "groundwork.terraform.stack_run": {
            "mode": "destroy", "confirm_destroy": "{{ env_name }}", "units": "{{ ansible_play_hosts_all }}"},
            "run_once": True, "register": "destroy", "ignore_errors": True})
    tasks.append({"name": "save", "ansible.builtin.copy": {
        "content": "{{ {'validated': validated, 'destroy': destroy | default(None)} | to_json }}",
        "dest": str(result_file), "mode": "0600"}, "delegate_to": "localhost", "run_once": True})
    # (the helper takes a list whose first item is a play; validate.yml may come second)
    return [
        {"name": "save the validation result", "hosts": "terraform_units", "gather_facts": False,
         "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
         "tasks": tasks},
        {"import_playbook": str(REPO / "playbooks" / "validate.yml")},
    ]


def _validate(inventory, workdir, destroy_check=False):
    workdir.mkdir(parents=True, exist_ok=True)
    result_file = workdir / "validated.json"
    # AWS_ENDPOINT_URL would redirect inventories/local (it honours the variable): unset it here
    proc = run_playbook(workdir, _validate_plays(result_file, destroy_check), inventory=inventory, check=False,
                        extra_env={"AWS_ENDPOINT_URL": ""})
    result = json.loads(result_file.read_text()) if result_file.exists() else None
    return proc, result


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Every inventory validated once (two at a time: the machine has two cores)."""
    base = tmp_path_factory.mktemp("inventories")
    names = list(MAIN_ENVS) + list(EXAMPLES)

    def one(name):
        return name, _validate(INVENTORIES / name, base / name.replace("/", "_"), destroy_check=name == "prod")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, names))


def _ok(validated, name):
    proc, result = validated[name]
    assert proc.returncode == 0 and result, "validate failed for inventories/%s:\n%s\n%s" % (
        name, proc.stdout[-6000:], proc.stderr[-3000:])
    return result["validated"]


def _check_stack(stack):
    units = stack["units"]
    order = stack["order"]
    # every unit ordered once, each after all of its dependencies: the graph has no cycle
    assert sorted(order) == sorted(units)
    position = {u: i for i, u in enumerate(order)}
    for unit, cfg in units.items():
        for dep in cfg["dependencies"]:
            assert position[dep] < position[unit], "%s runs before its dependency %s" % (unit, dep)
    assert sorted(u for layer in stack["layers"] for u in layer) == sorted(units)
    # one state per unit: S3 bucket + key, or (allow_local_state) the unit's own work dir
    states = [(cfg["backend"]["bucket"], cfg["backend"]["key"]) if cfg["backend"] else cfg["work_dir"]
              for cfg in units.values()]
    assert len(set(states)) == len(states), "units share a state: %s" % states


@pytest.mark.slow
@pytest.mark.parametrize("env", MAIN_ENVS)
def test_main_inventory_validates(validated, env):
    stack = _ok(validated, env)
    _check_stack(stack)
    units = stack["units"]
    assert {cfg["env_name"] for cfg in units.values()} == {env}
    for unit, cfg in units.items():
        assert cfg["state_key"] == "%s/%s/%s/terraform.tfstate" % (env, cfg["aws_provider"]["region"], unit)
    # the reference platform: network, data stores, IAM, compute, API, app hosts, monitoring
    modules = {Path(cfg["module_dir"]).name for cfg in units.values()}
    for needed in ("network", "s3-bucket", "dynamodb-table", "iam-policy", "lambda-function",
                   "api-gateway-rest", "ec2-app", "rds", "elasticache-redis", "monitoring"):
        assert needed in modules, "inventories/%s has no unit on module %s" % (env, needed)
    if env != "local":
        assert all(cfg["aws_provider"].get("assume_role_arn") for cfg in units.values())
        assert all(cfg["aws_provider"].get("allowed_account_ids") for cfg in units.values())


@pytest.mark.slow
def test_prod_has_a_dr_region_and_is_destroy_protected(validated):
    stack = _ok(validated, "prod")
    units = stack["units"]
    regions = {cfg["aws_provider"]["region"] for cfg in units.values()}
    assert regions == {"us-east-1", "us-west-2"}
    assert all(cfg["destroy_protection"] for cfg in units.values())
    dr = {u for u, cfg in units.items() if cfg["aws_provider"]["region"] == "us-west-2"}
    assert {"dr_network", "dr_storage"} <= dr
    # each region keeps its state in its own region's bucket: DR state survives losing us-east-1
    for cfg in units.values():
        assert cfg["backend"]["region"] == cfg["aws_provider"]["region"]
        assert cfg["aws_provider"]["region"] in cfg["backend"]["bucket"]
    # primary storage replicates into the DR bucket, so the DR bucket comes first
    assert "dr_storage" in units["storage"]["dependencies"]
    destroy = validated["prod"][1]["destroy"]
    assert destroy.get("failed") and "destroy_protection" in destroy["msg"], destroy


@pytest.mark.slow
def test_local_targets_the_local_endpoint(validated):
    stack = _ok(validated, "local")
    raw = yaml.safe_load((INVENTORIES / "local" / "group_vars" / "all.yml").read_text())
    assert raw["tf_state_enforce_tls"] is False  # plain http: a TLS-only bucket policy would lock terraform out
    for unit, cfg in stack["units"].items():
        assert cfg["aws_provider"]["endpoint_url"] == "http://127.0.0.1:4566", unit
        assert cfg["backend"]["endpoints"]["s3"] == "http://127.0.0.1:4566", unit
        assert cfg["destroy_protection"] is False
    plan_only = {u for u, cfg in stack["units"].items() if cfg["plan_only"]}
    # the docs list them as "- `unit` (module): why"
    documented = set(re.findall(r"^- `([a-z_]+)` \(", _section(REPO / "docs" / "INVENTORY.md", "Plan-only units in local"),
                                re.M))
    assert plan_only == documented, "plan-only units differ from docs/INVENTORY.md"
    # a deploy never applies them, so nothing it applies may need their outputs
    for unit, cfg in stack["units"].items():
        if not cfg["plan_only"]:
            assert not plan_only & set(cfg["dependencies"]), "%s depends on a plan-only unit" % unit


def _section(path, title):
    text = path.read_text()
    start = text.index(title)
    end = text.find("\n#", start)
    return text[start:end if end > 0 else None]


@pytest.mark.slow
def test_prod_graph_shows_account_region_unit_hierarchy():
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(INVENTORIES / "prod"), "--graph"],
                          env=ansible_env(), capture_output=True, text=True, timeout=120, check=True)
    lines = proc.stdout.splitlines()
    depth = {line.strip(" |").lstrip("-@"): len(line) - len(line.lstrip(" |")) for line in lines}
    assert depth["terraform_units:"] < depth["aws_prod:"] < depth["prod_us_east_1:"] < depth["network"]
    assert depth["prod_us_west_2:"] == depth["prod_us_east_1:"] < depth["dr_network"]


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES)
def test_seed_example_validates(validated, example):
    _check_stack(_ok(validated, example))


def test_every_seed_system_has_its_environments():
    found = {}
    for name in EXAMPLES:
        system, env = name.split("/")[1:]
        found.setdefault(system, set()).add(env)
    assert found == SEED_SYSTEMS


@pytest.mark.slow
def test_fast_api_jwt_order_matches_the_seed(validated):
    """Seed 001 'Execution Order' of terragrunt run-all apply, step by step."""
    stack = _ok(validated, "examples/fast-api-jwt/production")
    seed_steps = [
        {"roles", "policies", "sqs-notifications", "secret-manager"},
        {"s3-storage"},
        {"iam"},
        {"ec2-fast-api-jwt", "ec2-self-hosted"},
    ]
    assert [set(layer) for layer in stack["layers"]] == seed_steps
    units = stack["units"]
    assert set(units["ec2-fast-api-jwt"]["dependencies"]) == {"s3-storage", "iam", "secret-manager"}
    assert set(units["ec2-self-hosted"]["dependencies"]) == {"s3-storage", "iam"}
    # the seed's state layout is kept: production/<unit>/terraform.tfstate
    assert {cfg["state_key"] for cfg in units.values()} == {
        "production/%s/terraform.tfstate" % u for u in units}


def test_child_groups_override_parents(tmp_path):
    """host_vars > region group > account group > all; sibling groups never see each other's vars."""
    inv = tmp_path / "inventory"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "host_vars").mkdir()
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"terraform_units": {"children": {
        "acct_a": {"children": {"a_east": {"hosts": {"one": None, "two": None}},
                                "a_west": {"hosts": {"three": None}}}},
        "acct_b": {"children": {"b_east": {"hosts": {"four": None}}}},
    }}}}}))
    group_vars = {
        "all": {"env_name": "test", "aws_region": "eu-west-1", "tf_state_bucket": "state-{{ aws_region }}",
                "terraform_modules_dir": str(FIXTURE_MODULES), "unit_module": "data_chain",
                "unit_inputs": {"name": "{{ inventory_hostname }}"}, "unit_concurrency_limit": 9,
                "aws_default_tags": {"Team": "all"}},
        "acct_a": {"aws_account_id": "111111111111", "aws_region": "us-east-1", "unit_concurrency_limit": 2},
        "acct_b": {"aws_account_id": "222222222222"},
        "a_east": {"unit_concurrency_group": "a_east"},
        "a_west": {"aws_region": "us-west-2", "aws_default_tags": {"Team": "west"}},
    }
    for name, data in group_vars.items():
        (inv / "group_vars" / ("%s.yml" % name)).write_text(yaml.safe_dump(data))
    (inv / "host_vars" / "two.yml").write_text(yaml.safe_dump({"aws_region": "ap-south-1",
                                                              "unit_state_key": "custom/two.tfstate"}))
    result_file = tmp_path / "validated.json"
    run_playbook(tmp_path, _validate_plays(result_file), inventory=inv)
    units = json.loads(result_file.read_text())["validated"]["units"]
    region = {u: cfg["aws_provider"]["region"] for u, cfg in units.items()}
    assert region == {"one": "us-east-1",       # account group over all
                      "two": "ap-south-1",      # host_vars over everything
                      "three": "us-west-2",     # region group over its account
                      "four": "eu-west-1"}      # nothing set below all
    assert units["one"]["state_key"] == "test/us-east-1/one/terraform.tfstate"
    assert units["two"]["state_key"] == "custom/two.tfstate"
    assert units["three"]["backend"]["bucket"] == "state-us-west-2"  # templated with the child's value
    assert units["four"]["aws_provider"]["allowed_account_ids"] == ["222222222222"]
    assert {u: cfg["concurrency_limit"] for u, cfg in units.items()} == {"one": 2, "two": 2, "three": 2, "four": 9}
    assert units["one"]["concurrency_group"] == "a_east" and units["three"]["concurrency_group"] is None
    # a dict set in a child group replaces the parent's dict whole (no merge)
    assert units["three"]["aws_provider"]["default_tags"] == {"Team": "west"}
    assert units["four"]["aws_provider"]["default_tags"] == {"Team": "all"}
