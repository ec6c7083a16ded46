"""groundwork.terraform.stack_graph through real ansible-playbook on localhost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_playbook(tmp_path, tasks):
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(yaml.safe_dump(
        [{"name": "stack graph", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False))
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    argv = [str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local",
            "-e", "ansible_python_interpreter=%s" % sys.executable]
    return subprocess.run(argv, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)


def test_stack_graph_orders_a_diamond_stack(tmp_path):
    result_file = tmp_path / "result.json"
    proc = run_playbook(tmp_path, [
        {"name": "graph as list with state keys", "groundwork.terraform.stack_graph": {"units": [
            {"name": "network", "state_key": "dev/us-east-1/network/terraform.tfstate"},
            {"name": "db", "dependencies": ["network"], "state_key": "dev/us-east-1/db/terraform.tfstate"},
            {"name": "cache", "dependencies": ["network"], "state_key": "dev/us-east-1/cache/terraform.tfstate"},
            {"name": "app", "dependencies": ["db", "cache"], "state_key": "dev/us-east-1/app/terraform.tfstate"},
        ]}, "register": "stack"},
        {"name": "same graph as a mapping, destroy order, in check mode",
         "groundwork.terraform.stack_graph": {
             "units": {"network": [], "db": ["network"], "cache": {"dependencies": ["network"]},
                       "app": ["db", "cache"]},
             "reverse": True},
         "check_mode": True, "register": "destroy"},
        {"name": "save results", "ansible.builtin.copy": {
            "content": "{{ {'stack': stack, 'destroy': destroy} | to_json }}", "dest": str(result_file)}},
    ])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = json.loads(result_file.read_text())
    stack, destroy = results["stack"], results["destroy"]
    assert stack["changed"] is False and destroy["changed"] is False
    assert stack["order"] == ["network", "cache", "db", "app"]
    assert stack["layers"] == [["network"], ["cache", "db"], ["app"]]
    assert stack["reverse_layers"] == [["app"], ["cache", "db"], ["network"]]
    assert stack["dependents"]["network"] == ["app", "cache", "db"]
    assert stack["dependencies"]["app"] == ["cache", "db", "network"]
    assert "  u_app --> u_db" in stack["mermaid"]
    assert '"app" -> "cache";' in stack["dot"]
    assert destroy["order"] == ["app", "cache", "db", "network"]
    assert destroy["layers"] == stack["reverse_layers"]


def test_stack_graph_fails_naming_the_cycle(tmp_path):
    proc = run_playbook(tmp_path, [
        {"name": "graph with a cycle", "groundwork.terraform.stack_graph": {
            "units": {"a": ["b"], "b": ["c"], "c": ["a"], "d": []}}},
        {"name": "never reached", "ansible.builtin.debug": {"msg": "x"}},
    ])
    assert proc.returncode == 2, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "dependency cycle: a -> b -> c -> a (each unit depends on the next)" in proc.stdout
    assert "never reached" not in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
