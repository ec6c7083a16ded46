"""Bad input and bad credentials: one specific error each, before any terraform runs.

(Cycles, unknown dependencies and unknown modules: tests/integration/test_stack.py.)
A fake `terraform` that leaves a mark stands first on PATH for the stack runs here: the mark
proves terraform never started.
"""
from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import yaml

import reliability_kit as kit

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = tmp_path_factory.mktemp("bad-input")
    fake_bin = project / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "terraform").write_text("#!/bin/sh\ntouch %s\nexit 1\n" % (project / "terraform-ran"))
    (fake_bin / "terraform").chmod(0o755)
    return {"dir": project, "marker": project / "terraform-ran",
            "path": os.pathsep.join([str(fake_bin), str(kit.BIN), os.environ["PATH"]])}


def good(name, **inputs):
    unit = {"unit_module": "vault_chain", "unit_inputs": dict({"name": name, "password": kit.SECRET}, **inputs)}
    return unit


BROKEN = {
    "types": (dict(good("types"), unit_inputs={"name": {"a": 1}, "delay": [5], "ok": "maybe", "password": "p4ss"}),
              ["unit types: input name must be a string, not mapping {'a': 1}",
               "unit types: input delay must be a string, not list [5]",
               "unit types: input ok must be a boolean (true/false, yes/no), not string 'maybe'"]),
    "secret_type": (dict(good("secret_type"), unit_inputs={"name": "s", "password": [kit.SECRET]}),
                    ["unit secret_type: input password must be a string, not list (sensitive value)"]),
    "no_bucket": (dict(good("no_bucket"), tf_state_bucket=""),
                  ["unit no_bucket has no tf_state_bucket: set it (and tf_lock_table) in the inventory, or "
                   "allow_local_state: true"]),
    "no_env_name": (dict(good("no_env_name"), env_name=""),
                    ["unit no_env_name: env_name must be set to derive its state key (or set unit_state_key)"]),
    "key_leading_slash": (dict(good("key_leading_slash"), unit_state_key="/rel/app/terraform.tfstate"),
                          ["unit key_leading_slash: state key '/rel/app/terraform.tfstate' must not start with "
                           "'/' or contain '//'"]),
    "key_double_slash": (dict(good("key_double_slash"), unit_state_key="rel//app/terraform.tfstate"),
                         ["unit key_double_slash: state key 'rel//app/terraform.tfstate' must not start with '/' "
                          "or contain '//'"]),
    "nonsense_bool": (dict(good("nonsense_bool"), unit_plan_only="maybe"),
                      ["unit nonsense_bool: unit_plan_only must be a boolean (true/false, yes/no), not 'maybe'"]),
}
SPELLED = dict(good("spelled", ok="yes"), unit_allow_destroy="False", destroy_protection="yes",
               unit_plan_only="True")

CHECK_EACH_UNIT = [{
    "name": "check every unit on its own",
    "hosts": "localhost",
    "gather_facts": False,
    "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    "tasks": [
        {"name": "validate one unit", "groundwork.terraform.stack_run": {
            "mode": "validate", "all_units": ["{{ item }}"], "units": ["{{ item }}"]},
         "loop": "{{ groups['terraform_units'] }}", "register": "checked", "ignore_errors": True},
        {"name": "keep the answers", "ansible.builtin.copy": {
            "content": "{{ checked.results | to_json }}", "dest": "{{ playbook_dir }}/answers.json",
            "mode": "0600"}},
    ],
}]


@pytest.mark.scenario("X2", "X4", "X5", "X6")
def test_each_bad_setting_is_one_specific_error_before_terraform(project, aws, local_aws, record_property):
    stack = kit.Stack(project["dir"] / "each", local_aws, aws.new_store("dynamodb"),
                      dict({name: unit for name, (unit, _) in BROKEN.items()}, spelled=SPELLED))
    (stack.project / "check.yml").write_text(yaml.safe_dump(CHECK_EACH_UNIT, sort_keys=False))
    proc = subprocess.run([str(kit.BIN / "ansible-playbook"), "check.yml", "-i", str(stack.inventory)],
                          cwd=str(stack.project), env=dict(stack.env, PATH=project["path"]), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    answers = {a["item"]: a for a in json.loads((stack.project / "answers.json").read_text())}
    for name, (_, expected) in BROKEN.items():
        assert answers[name].get("failed"), (name, answers[name])
        for text in expected:
            assert text in answers[name]["msg"], (name, answers[name]["msg"])
        assert kit.SECRET not in answers[name]["msg"]
    spelled = answers["spelled"]["units"]["spelled"]
    assert (spelled["allow_destroy"], spelled["destroy_protection"], spelled["plan_only"]) == (False, True, True)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not project["marker"].exists(), "terraform ran"
    def said(name):
        return answers[name]["msg"].split("\n- ")[-1]
    record_property("observed:X2", "%s; %s" % (said("types"), said("secret_type")))
    record_property("observed:X4", "%s; %s" % (said("no_bucket"), said("no_env_name")))
    record_property("observed:X5", "%s; %s" % (said("key_leading_slash"), said("key_double_slash")))
    record_property("observed:X6", "%s; unit_allow_destroy 'False', destroy_protection 'yes', unit_plan_only 'True' "
                    "resolved to false, true, true" % said("nonsense_bool"))


@pytest.mark.scenario("X2", "X6")
def test_a_wrong_type_stops_the_stack_before_terraform_and_yes_is_a_bool(project, aws, local_aws, unit,
                                                                          record_property):
    stack = kit.Stack(project["dir"] / "types-stack", local_aws, aws.new_store("dynamodb"),
                      {"fine": good("fine"), "types": BROKEN["types"][0]})
    proc = stack.run("stack.yml", mode="deploy", env={"PATH": project["path"]})
    assert proc.returncode != 0
    message = " ".join(kit.failure_messages(proc.stdout))
    assert message.startswith("the stack is not valid:") and BROKEN["types"][1][2] in message, message
    assert not project["marker"].exists(), "terraform ran"
    assert not (stack.project / ".groundwork" / "runs").exists()
    # "yes" for a bool variable reaches terraform as true (terraform alone refuses "yes")
    backend = dict(aws.new_store("s3-lockfile"), key="rel/us-east-1/yes/terraform.tfstate")
    applied = unit(name="yes", backend=backend, inputs={"name": "y", "ok": "yes"})
    assert applied["changed"] and aws.state(backend)["resources"]
    record_property("observed:X2", "stack.yml stopped at validation: no run dir, the fake terraform never ran")
    record_property("observed:X6", "ok: \"yes\" given to a bool variable was applied as true")


@pytest.mark.scenario("X3")
def test_malformed_yaml_inventory_fails_naming_file_and_line(project, local_aws, aws, record_property):
    stack = kit.Stack(project["dir"] / "yaml", local_aws, aws.new_store("dynamodb"), {"app": good("app")})
    hosts = stack.inventory / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("      unit_module:", "     unit_module:", 1))  # bad indent
    proc = stack.run("stack.yml", mode="deploy", env={"PATH": project["path"]})
    assert proc.returncode != 0, "a deploy with an unparsable inventory must not succeed"
    output = proc.stdout + proc.stderr
    assert "YAML parsing failed" in output and "%s:" % hosts in output, output[-3000:]
    assert "no units to run: the inventory %s has no host in group terraform_units" % stack.inventory in \
        " ".join(kit.failure_messages(proc.stdout))
    assert not project["marker"].exists()
    record_property("observed", "ansible warned 'YAML parsing failed' at %s:<line>; stack.yml's first play then "
                    "failed 'no units to run' (before this suite it exited 0 having run nothing)" % hosts.name)


@pytest.fixture(scope="module")
def authenticating_endpoint(tmp_path_factory):
    """A moto server that checks credentials (INITIAL_NO_AUTH_ACTION_COUNT=0): unknown keys are refused."""
    import local_endpoint
    port = local_endpoint.free_port()
    log = tmp_path_factory.mktemp("auth-endpoint") / "moto.log"
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    try:
        proc = local_endpoint.start_moto(port, log)
    finally:
        del os.environ["INITIAL_NO_AUTH_ACTION_COUNT"]
    url = "http://127.0.0.1:%d" % port
    try:
        local_endpoint.wait_until_healthy(url, proc)
        yield url
    finally:
        local_endpoint.stop_pid(proc.pid)


@pytest.mark.scenario("X7", "X8")
def test_missing_or_wrong_credentials_are_one_line_before_terraform(project, aws, local_aws, authenticating_endpoint,
                                                                    record_property):
    missing_env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                   "AWS_CONFIG_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                   "PATH": project["path"]}
    cases = {
        "missing": (local_aws, missing_env, "no AWS credentials found"),
        "wrong": (authenticating_endpoint, {"PATH": project["path"], "AWS_MAX_ATTEMPTS": "1"},
                  "AWS credentials refused by STS GetCallerIdentity"),
    }
    for case, (endpoint, env, expected) in cases.items():
        store = aws.new_store("dynamodb") if endpoint == local_aws else {
            "bucket": "gw-rel-unreachable-by-these-keys", "dynamodb_table": "t"}
        stack = kit.Stack(project["dir"] / ("creds-" + case), endpoint, store, {"app": good("app")})
        if case == "missing":
            stack.env = {k: v for k, v in stack.env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
            env = {k: v for k, v in env.items() if v}
        started = time.monotonic()
        proc = stack.run("stack.yml", mode="deploy", env=env)
        assert proc.returncode != 0
        messages = kit.failure_messages(proc.stdout)
        assert len(messages) == 1, messages
        message = messages[0]
        assert message.startswith("refused before any terraform ran: ") and expected in message, message
        assert kit.one_line(message) and kit.AWS_SECRET not in message
        assert not project["marker"].exists() and not (stack.project / ".groundwork" / "runs").exists()
        record_property("observed:%s" % {"missing": "X7", "wrong": "X8"}[case], "%s (%.0fs)" % (
            message.replace(str(endpoint), "<endpoint>"), time.monotonic() - started))
