"""Inits leave the critical path. A unit waiting for its dependencies runs its terraform init
meanwhile: on a real cold deploy of a -> b, where a's apply takes 8 s, b's init starts and ends
while a is still applying, and b's own run after the wait starts no second init. With one fork,
the running unit inits the next one of the run order (its task has not started): on a -> b -> c,
b and c each find their init done by the unit before them and run one terraform process."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from support.stack_deploy import deploy

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

def terraform_commands(log):
    """(start time, subcommand) of every terraform process the unit's log records."""
    found = []
    for stamp, command in re.findall(r"^### (\S+)\s+\S+/terraform (\w+)", log, re.M):
        found.append((datetime.datetime.fromisoformat(stamp).timestamp(), command))
    return found


# a -> b -> c, a and b applying 6 s each
CHAIN_ABC = {
    "a": {"unit_module": "data_chain", "unit_inputs": {"name": "a", "delay": "6"}},
    "b": {"unit_module": "data_chain", "unit_dependencies": ["a"],
          "unit_inputs": {"name": "b", "delay": "6", "upstream": "{{ dependency.a.chain }}"}},
    "c": {"unit_module": "data_chain", "unit_dependencies": ["b"],
          "unit_inputs": {"name": "c", "upstream": "{{ dependency.b.chain }}"}},
}


def unit_inits(records, unit):
    """Start times of the terraform inits the unit's log records."""
    return [at for at, command in terraform_commands(Path(records[unit]["log_path"]).read_text()) if command == "init"]


def deploy_stack(tmp_path, local_aws, hosts, forks):
    report, records, _ = deploy(tmp_path, local_aws, "overlap", {"hosts": hosts}, forks)
    return report, records


def test_dependent_inits_while_its_dependency_applies(local_aws, tmp_path):
    report, records = deploy_stack(tmp_path, local_aws, {
        "a": {"unit_module": "data_chain", "unit_inputs": {"name": "a", "delay": "8"}},
        "b": {"unit_module": "data_chain", "unit_dependencies": ["a"],
              "unit_inputs": {"name": "b", "upstream": "{{ dependency.a.chain }}"}},
    }, forks=2)
    assert [r["action"] for r in report["units"]] == ["applied", "applied"], report["units"]
    b_commands = terraform_commands(Path(records["b"]["log_path"]).read_text())
    inits = [at for at, command in b_commands if command == "init"]
    assert len(inits) == 1, b_commands  # one init, before the wait; none after it
    a_apply_started = max(at for at, command in terraform_commands(Path(records["a"]["log_path"]).read_text())
                          if command == "apply")
    # log stamps are whole seconds: b's init began while a's 8 s apply ran
    assert inits[0] < records["a"]["finished"] - 2, (inits[0], records["a"]["finished"])
    assert inits[0] >= a_apply_started - 10
    # after the wait, one process: `apply -auto-approve` plans and applies (a cold unit expects changes)
    assert records["b"]["terraform_processes"] == 1, records["b"]


def test_with_one_fork_the_running_unit_inits_the_next(local_aws, tmp_path):
    report, records = deploy_stack(tmp_path, local_aws, CHAIN_ABC, forks=1)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    assert records["a"]["init_ahead"] is None  # the first unit inits itself
    for unit, helper in (("b", "a"), ("c", "b")):
        assert records[unit]["init_ahead"] == {"by": helper, "init": "ran"}, records[unit]
        assert records[unit]["terraform_processes"] == 1, records[unit]  # its apply: the init was done
        inits = unit_inits(records, unit)
        assert len(inits) == 1, inits
        # whole-second log stamps: the init began while the unit before it applied (6 s), and
        # this unit's own task only started once that unit's task had returned
        assert inits[0] < records[helper]["finished"] - 2, (inits[0], records[helper])
        assert records[unit]["waiting_since"] >= records[helper]["finished"]


def test_a_waiting_unit_inits_once_its_dependencies_are_under_way(local_aws, tmp_path):
    """Just in time: c (after b, after a) inits while b applies, not at the start beside a's apply."""
    report, records = deploy_stack(tmp_path, local_aws, CHAIN_ABC, forks=3)
    assert [r["action"] for r in report["units"]] == ["applied"] * 3, report["units"]
    inits = {unit: unit_inits(records, unit) for unit in "bc"}
    assert len(inits["b"]) == 1 and len(inits["c"]) == 1, inits
    assert records["b"]["init_ahead"] is None and records["c"]["init_ahead"] is None  # every task had a fork
    # whole-second log stamps: b inits while a applies; c only once a is done, while b applies
    assert inits["b"][0] < records["a"]["finished"] - 2, (inits, records["a"]["finished"])
    assert inits["c"][0] >= int(records["a"]["finished"]), (inits, records["a"]["finished"])
    assert inits["c"][0] < records["b"]["finished"] - 2, (inits, records["b"]["finished"])
    assert records["c"]["terraform_processes"] == 1, records["c"]
