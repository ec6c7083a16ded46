#!/usr/bin/env python3
"""What does Ansible itself cost a run, before any unit does work? The floor under deploy.yml.

A shell loop over a chain pays terraform's time plus an init per unit. deploy.yml hides the
inits (a unit inits while the one before it applies) but pays ansible-playbook's own cost,
which no collection can remove: interpreter and imports, inventory and playbook parsing, a
worker per task, the strategy's loop. This script measures that floor on the same machine, so
the shell-loop comparison in docs/PERFORMANCE.md can say how much of deploy.yml's fixed cost is
Ansible's and how much is ours. Playbooks with nothing but ``debug`` tasks, over an inventory of
``--hosts`` local hosts (no SSH, no facts):

  version   ansible-playbook --version (start-up and imports only)
  one play  one play, free strategy, one debug per host (the least a per-unit run can be)
  stack     the play shape of playbooks/stack.yml: an assert on localhost; a run_once task and a
            set_fact delegated to localhost; the free-strategy play with a task per host; a
            run_once report task

Prints the median wall seconds of ``--rounds`` runs of each at ``--forks``; exits 0 (figures,
not a test), non-zero only when a run failed.

  .venv/bin/python bench/ansible_floor.py [--hosts 10] [--forks 1] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from apply_paths import timed  # noqa: E402

LOCAL = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
DEBUG = {"ansible.builtin.debug": {"msg": "{{ inventory_hostname }}"}}
ONE_PLAY = [{"name": "units", "hosts": "terraform_units", "strategy": "ansible.builtin.free",
             "gather_facts": False, "vars": LOCAL, "tasks": [DEBUG]}]
STACK_SHAPE = [
    {"name": "refuse", "hosts": "localhost", "gather_facts": False, "vars": LOCAL,
     "tasks": [{"ansible.builtin.assert": {"that": "groups['terraform_units'] | length > 0", "quiet": True}}]},
    {"name": "plan", "hosts": "terraform_units", "gather_facts": False, "vars": LOCAL,
     "tasks": [dict(DEBUG, run_once=True),
               {"ansible.builtin.set_fact": {"order": "{{ ansible_play_hosts_all }}"}, "run_once": True,
                "delegate_to": "localhost", "delegate_facts": True}]},
    ONE_PLAY[0],
    {"name": "report", "hosts": "terraform_units", "gather_facts": False, "vars": LOCAL,
     "tasks": [dict(DEBUG, run_once=True, delegate_to="localhost")]},
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--forks", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    playbook_cmd = str(Path(sys.executable).parent / "ansible-playbook")
    with tempfile.TemporaryDirectory(prefix="ansible-floor-") as tmp:
        root = Path(tmp)
        hosts = {"u%03d" % index: {} for index in range(args.hosts)}
        (root / "hosts.yml").write_text(json.dumps({"all": {"children": {"terraform_units": {"hosts": hosts}}}}))
        (root / "one.yml").write_text(json.dumps(ONE_PLAY))
        (root / "stack.yml").write_text(json.dumps(STACK_SHAPE))
        env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), PYTHONWARNINGS="ignore")
        runs = {
            "version": [playbook_cmd, "--version"],
            "one play": [playbook_cmd, "one.yml", "-i", "hosts.yml", "-f", str(args.forks)],
            "stack": [playbook_cmd, "stack.yml", "-i", "hosts.yml", "-f", str(args.forks)],
        }
        times = {name: [] for name in runs}
        for _ in range(args.rounds):  # interleaved, so load falls on each alike
            for name, argv_ in runs.items():
                times[name].append(timed(argv_, root, env))
    print("ansible-playbook floor: %d hosts, forks %d, median of %d rounds" % (args.hosts, args.forks, args.rounds))
    for name, values in times.items():
        print("  %-9s %6.2f s   (%s)" % (name, statistics.median(values), ", ".join("%.2f" % v for v in values)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
