"""Pure parts behind the reliability promises: lock age, digest errors, input types, restore helpers."""
from __future__ import annotations

import json

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.input_types import (
    check_inputs, describe, has_template, parse_type)
from ansible_collections.groundwork.terraform.plugins.module_utils.hcl import Variable
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import with_inventory
from ansible_collections.groundwork.terraform.plugins.module_utils.state_history import (
    StateError, parse_state, render_state, same_content, summarize_state, validate_backend)
from ansible_collections.groundwork.terraform.plugins.module_utils.recovery import (
    duration_seconds, format_age, lock_age, parse_digest_mismatch, unlock_command)


# ----------------------------------------------------------------------------- locks

@pytest.mark.parametrize("created, age", [
    ("2026-01-05 10:00:00.419696174 +0000 UTC", 125),          # terraform's DynamoDB lock text
    ("2026-01-05T10:00:00.925702836Z", 125),                    # RFC 3339 (S3 lockfile JSON)
    ("2026-01-05 11:00:00 +0100 CET", 125),                     # another offset
    ("not a time", None),
])
def test_lock_age_from_terraform_created_text(created, age):
    now = 1767607200 + 125  # 2026-01-05T10:00:00Z + 125 s
    assert lock_age(created, now=now) == age


@pytest.mark.parametrize("seconds, text", [(None, "unknown"), (5, "5s"), (125, "2m05s"), (7260, "2h01m"),
                                           (90000, "1d01h")])
def test_format_age(seconds, text):
    assert format_age(seconds) == text


def test_unlock_command_names_unit_and_id_and_gets_the_inventory_from_the_run():
    command = unlock_command("app", "abc-123")
    assert command == "ansible-playbook groundwork.terraform.unlock -i <inventory> -e unit=app -e lock_id=abc-123"
    assert with_inventory("release: " + command, {"ansible_inventory_sources": ["/p/inv", "/p/extra"]}) == \
        "release: ansible-playbook groundwork.terraform.unlock -i /p/inv -i /p/extra -e unit=app -e lock_id=abc-123"
    assert with_inventory("no command here", {"ansible_inventory_sources": ["/p/inv"]}) == "no command here"
    assert with_inventory(command, {}) == command


def test_digest_mismatch_parsed_from_terraform_text():
    text = ("error loading state: state data in S3 does not have the expected content.\n\nBucket: st\n"
            "Key:    dev/app/terraform.tfstate\nCalculated checksum: 55a1\nStored checksum:     76e8\n")
    assert parse_digest_mismatch(text) == {"bucket": "st", "key": "dev/app/terraform.tfstate",
                                           "calculated": "55a1", "stored": "76e8"}
    deleted = text.replace("Calculated checksum: 55a1", "Calculated checksum: ")
    assert parse_digest_mismatch(deleted)["calculated"] == ""
    assert parse_digest_mismatch("Error acquiring the state lock") is None


# ----------------------------------------------------------------------------- input types

def variables(**types):
    return {name: Variable(name=name, type=kind) for name, kind in types.items()}


def test_types_parse_and_print_back():
    assert describe(parse_type("map(list(string))")) == "map(list(string))"
    assert describe(parse_type("object({a = string, b = optional(number)})")) == "object({a=string, b=number})"
    assert parse_type(None) == ("any",)
    with pytest.raises(InputError, match="not a Terraform type expression"):
        parse_type("lisst(string)")


@pytest.mark.parametrize("kind, value", [
    ("string", 5), ("string", True), ("number", "5"), ("number", "-1.5e3"), ("number", 3), ("bool", "true"),
    ("bool", "0"), ("list(string)", [1, "a", True]), ("map(number)", {"a": "1"}), ("any", {"x": [1]}),
    ("object({a = string})", {"a": "x", "extra": [1]}), ("tuple([string, number])", ["a", 1]),
    ("string", "{{ dependency.network.vpc_id }}"), ("number", None),
])
def test_values_terraform_converts_are_accepted(kind, value):
    normalised, problems = check_inputs({"v": value}, variables(v=kind))
    assert problems == []


@pytest.mark.parametrize("kind, value, problem", [
    ("string", {"a": 1}, "input v must be a string, not mapping {'a': 1}"),
    ("number", "abc", "input v must be a number, not string 'abc'"),
    ("number", "0x10", "must be a number"),
    ("number", True, "input v must be a number, not bool True"),
    ("bool", "maybe", "input v must be a boolean (true/false, yes/no), not string 'maybe'"),
    ("bool", 1, "input v must be a boolean"),
    ("list(string)", "a", "input v must be a list(string), not string 'a'"),
    ("list(number)", [1, "x"], "input v[1] must be a number, not string 'x'"),
    ("map(string)", ["a"], "input v must be a map(string), not list ['a']"),
    ("object({a = number})", {"a": "no"}, "input v.a must be a number"),
    ("tuple([string, number])", ["a"], "must be a tuple([string, number]) of 2 elements, not 1"),
])
def test_wrong_types_are_named(kind, value, problem):
    _, problems = check_inputs({"v": value}, variables(v=kind))
    assert len(problems) == 1 and problem in problems[0], problems


@pytest.mark.parametrize("given, wanted", [("yes", True), ("True", True), ("on", True), ("NO", False),
                                           ("False", False), ("off", False), (True, True)])
def test_ansible_booleans_are_normalised_for_bool_variables(given, wanted):
    normalised, problems = check_inputs({"flag": given, "flags": {"x": given}},
                                        variables(flag="bool", flags="map(bool)"))
    assert problems == [] and normalised == {"flag": wanted, "flags": {"x": wanted}}


def test_sensitive_values_stay_out_of_type_errors():
    secret = {"name": "password", "type": "string", "sensitive": True}
    _, problems = check_inputs({"password": ["hunter2"]}, {"password": Variable(**secret)})
    assert problems == ["input password must be a string, not list (sensitive value)"]


def test_template_detection():
    assert has_template({"a": ["{{ x }}"]}) and has_template("{% if x %}y{% endif %}")
    assert not has_template({"a": ["plain"]})


# ----------------------------------------------------------------------------- restore helpers

STATE = {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "L1", "outputs": {"b": {}, "a": {}},
         "resources": [{"mode": "managed", "instances": [{}, {}]}, {"mode": "data", "instances": [{}]}]}


def test_state_summary_and_rendering():
    assert summarize_state(STATE) == {"serial": 3, "lineage": "L1", "terraform_version": "1.11.4", "resources": 2,
                                      "outputs": ["a", "b"]}
    body = render_state(STATE)
    assert body.endswith(b"}\n") and json.loads(body) == STATE
    assert parse_state(body, "x") == STATE
    assert same_content(STATE, dict(STATE, serial=9)) and not same_content(STATE, dict(STATE, lineage="L2"))


@pytest.mark.parametrize("body", [b"not json", b'{"version": 3, "lineage": "x"}', b"[]", b"\xff"])
def test_non_states_are_refused(body):
    with pytest.raises(StateError, match="is not a terraform state"):
        parse_state(body, "s3://b/k")


@pytest.mark.parametrize("backend, match", [
    ({"key": "k"}, "backend needs bucket"),
    ({"bucket": "b"}, "backend needs key"),
    ({"bucket": "b", "key": "/k"}, "must not start with '/'"),
    ({"bucket": "b", "key": "a//k"}, "contain '//'"),
    ("b/k", "must be a dict"),
])
def test_restore_backend_validated_before_any_call(backend, match):
    with pytest.raises(InputError, match=match):
        validate_backend(backend)


@pytest.mark.parametrize("text, seconds", [("60s", 60), ("5m", 300), ("1h30m", 5400), ("500ms", 0.5), ("", 0),
                                           (None, 0), ("soon", 0)])
def test_terraform_durations(text, seconds):
    assert duration_seconds(text) == seconds
