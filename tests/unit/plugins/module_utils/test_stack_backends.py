"""stack_backends: which backends a stack's units use, conflicts, local-state units, verified markers.

The AWS side (ensure_state_backend) is tested against moto in tests/integration; here the
ensure call is a recorder, so the planning and marker rules are tested without AWS.
"""
from __future__ import annotations

import os

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_backends import (
    DEFAULT_MAX_AGE, ensure_backends, marker_path, max_age_seconds, plan_listed_backends, plan_unit_backends,
    unit_settings, verified_recently)


def unit(bucket="acme-state", **extra):
    hv = {"tf_state_bucket": bucket, "tf_lock_table": "acme-lock", "aws_region": "eu-west-1"}
    hv.update(extra)
    return hv


def test_units_sharing_a_backend_make_one_and_local_state_units_none():
    plan = plan_unit_backends({"network": unit(), "app": unit(), "dr": unit("acme-dr"),
                               "scratch": {"allow_local_state": "yes"}})
    assert plan["problems"] == []
    assert [b["id"] for b in plan["backends"]] == ["acme-state|eu-west-1|acme-lock|", "acme-dr|eu-west-1|acme-lock|"]
    assert plan["units"] == {"network": 0, "app": 0, "dr": 1}
    assert plan["local_units"] == ["scratch"]


def test_settings_precedence_unit_then_defaults_then_backend_vars_then_builtin():
    assert unit_settings("a", unit())["enforce_tls"] is True
    assert unit_settings("a", unit(backend_enforce_tls=False))["enforce_tls"] is False
    assert unit_settings("a", unit(backend_enforce_tls=False), {"enforce_tls": True})["enforce_tls"] is True
    assert unit_settings("a", unit(tf_state_enforce_tls="no"), {"enforce_tls": True})["enforce_tls"] is False
    settings = unit_settings("a", unit(tf_state_noncurrent_version_expiration_days="30", tf_state_tags={"env": 1}))
    assert settings["noncurrent_version_expiration_days"] == 30 and settings["tags"] == {"env": "1"}


def test_disagreeing_units_and_bad_settings_are_problems_naming_the_units():
    plan = plan_unit_backends({"network": unit(), "app": unit(tf_state_versioning="no"),
                               "db": unit("acme-db", tf_state_versioning="maybe"), "orphan": {}})
    assert plan["problems"] == [
        "unit db: tf_state_versioning must be a boolean (true/false, yes/no), not 'maybe'",
        "unit orphan names no state bucket (set tf_state_bucket, or allow_local_state: true for throwaway local "
        "state)",
        "unit app and unit network share the backend acme-state|eu-west-1|acme-lock| but set different versioning"]


def test_backend_list_entries():
    plan = plan_listed_backends([{"bucket": "b1", "lock_table": "l", "region": "us-east-1", "versioning": False},
                                 {"bucket": "b2", "region": "us-east-1"}])
    assert [b["id"] for b in plan["backends"]] == ["b1|us-east-1|l|", "b2|us-east-1||"]
    assert plan["backends"][0]["versioning"] is False and plan["units"] == {}


class Recorder:
    def __init__(self, fail=None):
        self.calls = []
        self.fail = fail

    def __call__(self, params, check_mode=False, diff=False):
        self.calls.append(params["bucket"])
        if self.fail:
            raise self.fail
        return {"changed": True, "changes": ["created"], "backend_config": {"bucket": params["bucket"]},
                "warnings": ["w"]}


def test_verified_marker_skips_the_read_until_settings_change_age_or_recheck(tmp_path):
    markers = str(tmp_path / "markers")
    plan = plan_unit_backends({"a": unit(), "b": unit("acme-other")})
    first = Recorder()
    results, warnings = ensure_backends(plan, marker_dir=markers, recheck=False, ensure=first)
    assert first.calls == ["acme-state", "acme-other"] and warnings == ["w", "w"]
    assert [r["verified_earlier"] for r in results] == [False, False]
    for backend in plan["backends"]:
        path = marker_path(markers, {k: v for k, v in backend.items() if k != "id"})
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"

    again = Recorder()
    results, _ = ensure_backends(plan, marker_dir=markers, recheck=False, ensure=again)
    assert again.calls == [] and all(r["verified_earlier"] and not r["changed"] for r in results)
    assert results[0]["backend_config"]["dynamodb_table"] == "acme-lock"

    forced = Recorder()
    ensure_backends(plan, marker_dir=markers, recheck=True, ensure=forced)
    assert forced.calls == ["acme-state", "acme-other"]

    changed = plan_unit_backends({"a": unit(tf_state_versioning=False), "b": unit("acme-other")})
    partly = Recorder()
    ensure_backends(changed, marker_dir=markers, recheck=False, ensure=partly)
    assert partly.calls == ["acme-state"]  # a changed setting is a new hash

    settings = {k: v for k, v in plan["backends"][1].items() if k != "id"}
    assert verified_recently(markers, settings, max_age=60)
    assert not verified_recently(markers, settings, max_age=60, now=os.path.getmtime(markers) + 3600)


def test_a_failed_ensure_forgets_the_marker_and_names_the_backend(tmp_path):
    markers = str(tmp_path / "markers")
    plan = plan_unit_backends({"a": unit()})
    ensure_backends(plan, marker_dir=markers, recheck=False, ensure=Recorder())
    with pytest.raises(AwsError, match=r"^backend acme-state\|eu-west-1\|acme-lock\|: access denied"):
        ensure_backends(plan, marker_dir=markers, recheck=True, ensure=Recorder(AwsError("access denied")))
    again = Recorder()
    ensure_backends(plan, marker_dir=markers, recheck=False, ensure=again)
    assert again.calls == ["acme-state"]


def test_check_mode_writes_no_marker(tmp_path):
    markers = str(tmp_path / "markers")
    ensure_backends(plan_unit_backends({"a": unit()}), marker_dir=markers, check_mode=True, ensure=Recorder())
    assert not os.path.exists(markers)


def test_recheck_after_zero_means_always_and_nonsense_is_refused(tmp_path):
    assert max_age_seconds(None) == DEFAULT_MAX_AGE and max_age_seconds("3600") == 3600 and max_age_seconds(0) == 0
    with pytest.raises(InputError, match="backend_recheck_after must be a whole number of seconds"):
        max_age_seconds("a day")
    markers = str(tmp_path / "markers")
    plan = plan_unit_backends({"a": unit()})
    ensure_backends(plan, marker_dir=markers, recheck=False, ensure=Recorder())
    again = Recorder()
    ensure_backends(plan, marker_dir=markers, recheck=False, max_age=0, ensure=again)
    assert again.calls == ["acme-state"]
