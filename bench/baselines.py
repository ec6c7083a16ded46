"""The ways people deploy a stack today, for comparison: per-unit work dirs, a shell loop,
and a playbook running community.general.terraform per unit in order.

Both baselines get each unit's inputs precomputed (stacks.unit_inputs), so they do not pay
for reading dependency outputs, which a deploy.yml run does (one S3 GET per dependency).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil

from stacks import unit_inputs


def backend_block(bucket, table, region, endpoint, key):
    """The S3 backend a unit of the stack uses, spelled as a person would write it."""
    return {"terraform": {"backend": {"s3": {
        "bucket": bucket, "key": key, "region": region, "dynamodb_table": table, "encrypt": True,
        "endpoints": {"s3": endpoint, "dynamodb": endpoint, "sts": endpoint},
        "use_path_style": True, "skip_credentials_validation": True, "skip_region_validation": True,
        "skip_requesting_account_id": True, "skip_metadata_api_check": True}}}}


def write_unit_dirs(root, module_dir, units, delays, backend):
    """One plain terraform root module per unit: the module, a backend file, a tfvars file."""
    for name, deps in units.items():
        path = os.path.join(root, name)
        os.makedirs(path, exist_ok=True)
        for entry in os.listdir(module_dir):
            if entry.endswith(".tf"):
                shutil.copyfile(os.path.join(module_dir, entry), os.path.join(path, entry))
        with open(os.path.join(path, "backend.tf.json"), "w") as handle:
            json.dump(backend(name), handle, indent=1)
        with open(os.path.join(path, "terraform.tfvars.json"), "w") as handle:
            json.dump(unit_inputs(name, deps, delays[name]), handle, indent=1)


def write_shell_loop(root, order, terraform, destroy=False):
    """cd into each unit in order (reverse for destroy); init, then apply -auto-approve."""
    action = "destroy" if destroy else "apply"
    units = list(reversed(order)) if destroy else list(order)
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", "TF=%s" % shlex.quote(terraform),
             "cd %s" % shlex.quote(root),
             "for unit in %s; do" % " ".join(units),
             "  (cd \"$unit\" && \"$TF\" init -input=false -no-color >init.log"
             " && \"$TF\" %s -auto-approve -input=false -no-color >%s.log)" % (action, action),
             "done"]
    path = os.path.join(root, "%s-loop.sh" % action)
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o755)
    return path


def write_cg_playbook(root, order, terraform):
    """One community.general.terraform task, looped over the units in dependency order."""
    playbook = [{
        "name": "Deploy the units one after another with community.general.terraform",
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{
            "name": "Apply one unit",
            "community.general.terraform": {
                "project_path": "%s/{{ item }}" % root,
                "binary_path": terraform,
                "state": "present",
                "force_init": True,
            },
            "loop": list(order),
        }],
    }]
    path = os.path.join(root, "cg-deploy.yml")
    with open(path, "w") as handle:
        json.dump(playbook, handle, indent=1)
    return path
