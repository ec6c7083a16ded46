from __future__ import annotations

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_config import (
    as_bool, dependency_references, resolve_unit)


@pytest.fixture
def modules_dir(tmp_path):
    (tmp_path / "modules" / "network").mkdir(parents=True)
    (tmp_path / "modules" / "network" / "main.tf").write_text("")
    return str(tmp_path / "modules")


def base(modules_dir, **extra):
    hv = {"unit_module": "network", "terraform_modules_dir": modules_dir, "env_name": "prod",
          "aws_region": "eu-west-1", "tf_state_bucket": "acme-state", "tf_lock_table": "acme-lock",
          "aws_account_id": "123456789012"}
    hv.update(extra)
    return hv


def test_default_state_key_backend_and_provider(modules_dir, tmp_path):
    cfg = resolve_unit("network", base(modules_dir), str(tmp_path))
    assert cfg["state_key"] == "prod/eu-west-1/network/terraform.tfstate"
    assert cfg["backend"]["bucket"] == "acme-state" and cfg["backend"]["dynamodb_table"] == "acme-lock"
    assert cfg["backend"]["key"] == cfg["state_key"]
    assert cfg["aws_provider"] == {"region": "eu-west-1", "allowed_account_ids": ["123456789012"]}
    assert cfg["work_dir"].endswith(".groundwork/units/acme-state/prod/eu-west-1/network")


def test_work_dirs_follow_the_state_not_the_env_name(modules_dir, tmp_path):
    """Two inventories with the same env_name and region but their own buckets never share a work
    dir; naming the same state, they do. Local state is kept per inventory directory."""
    ours = resolve_unit("network", base(modules_dir), str(tmp_path))
    theirs = resolve_unit("network", base(modules_dir, tf_state_bucket="other-state"), str(tmp_path))
    same = resolve_unit("network", base(modules_dir, inventory_dir=str(tmp_path / "elsewhere")), str(tmp_path))
    assert ours["work_dir"] != theirs["work_dir"] and ours["work_dir"] == same["work_dir"]
    custom = resolve_unit("network", base(modules_dir, unit_state_key="shared/net.tfstate"), str(tmp_path))
    assert custom["work_dir"].endswith("/units/acme-state/shared/net.tfstate")
    local = [resolve_unit("network", base(modules_dir, tf_state_bucket=None, allow_local_state=True,
                                          inventory_dir=str(tmp_path / name / "prod")), str(tmp_path))["work_dir"]
             for name in ("a", "b")]
    assert local[0] != local[1] and all("/units/local-state/prod-" in d for d in local)
    assert all(d.endswith("/prod/eu-west-1/network") for d in local)


def test_state_key_with_a_parent_segment_is_refused(modules_dir, tmp_path):
    with pytest.raises(InputError, match="'..' segment"):
        resolve_unit("network", base(modules_dir, unit_state_key="prod/../../etc/terraform.tfstate"), str(tmp_path))


def test_local_endpoint_reaches_backend_and_provider(modules_dir, tmp_path):
    cfg = resolve_unit("network", base(modules_dir, aws_endpoint_url="http://127.0.0.1:4566"), str(tmp_path))
    assert cfg["backend"]["endpoints"]["s3"] == "http://127.0.0.1:4566"
    assert cfg["aws_provider"]["endpoint_url"] == "http://127.0.0.1:4566"
    assert "allowed_account_ids" not in cfg["aws_provider"]


@pytest.mark.parametrize("extra, match", [
    ({"unit_module": "nope"}, "module 'nope' not found .* available: network"),
    ({"unit_module": None}, "has no unit_module"),
    ({"unit_dependencies": "network"}, "unit_dependencies must be a list"),
    ({"unit_inputs": ["a"]}, "unit_inputs must be a mapping"),
    ({"unit_state_key": "/abs"}, "must not start with '/'"),
    ({"unit_state_key": "a//b"}, "contain '//'"),
    ({"tf_state_bucket": None}, "has no tf_state_bucket"),
    ({"destroy_protection": "maybe"}, "destroy_protection must be a boolean"),
    ({"unit_concurrency_limit": "two"}, "whole number"),
])
def test_bad_inventory_values_are_named(modules_dir, tmp_path, extra, match):
    with pytest.raises(InputError, match=match):
        resolve_unit("network", base(modules_dir, **extra), str(tmp_path))


@pytest.mark.parametrize("value, expected", [("yes", True), ("True", True), (1, True), ("no", False),
                                             ("False", False), (None, False)])
def test_booleans_normalised(value, expected):
    assert as_bool(value, "x", "u") is expected


def test_dependency_references_found_in_nested_raw_inputs():
    raw = {"a": "{{ dependency.network.vpc_id }}", "b": ["{{ dependency['data'].arn }}"],
           "c": {"d": "{{ dependency.app.chain + [dependency.iam.id] }}"}, "e": 3}
    assert dependency_references(raw) == {("network", "vpc_id"), ("data", "arn"), ("app", "chain"), ("iam", "id")}


def test_unset_allow_destroy_defaults_to_true_as_stack_run_passes_it(modules_dir, tmp_path):
    # stack_run hands every variable name over, unset ones as None: None must mean "default", not false,
    # or every replacement (a tainted resource after an interrupted apply) would be refused by default.
    cfg = resolve_unit("network", base(modules_dir, unit_allow_destroy=None), str(tmp_path))
    assert cfg["allow_destroy"] is True
    assert resolve_unit("network", base(modules_dir, unit_allow_destroy="no"), str(tmp_path))["allow_destroy"] is False
