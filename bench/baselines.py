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


def provider_block(region):
    """The AWS provider of a baseline unit on the local endpoint: credentials and the endpoint
    (AWS_ENDPOINT_URL) from the environment, as a unit's generated provider has them.

    Not an ``endpoints { ... }`` block: with one, every provider start in an apply spends seconds
    validating and configuring it (bench/provider_endpoints.py: about 3x the apply), which would
    measure the provider spelling, not the orchestration."""
    return {"provider": {"aws": {
        "region": region, "skip_credentials_validation": True, "skip_requesting_account_id": True,
        "skip_metadata_api_check": True, "skip_region_validation": True}}}


def write_cli_config(path, mirror):
    """A terraform CLI config installing providers from the filesystem mirror (no registry here)."""
    with open(path, "w") as handle:
        handle.write('provider_installation {\n  filesystem_mirror {\n    path = %s\n  }\n}\n' % json.dumps(mirror))
    return path


def write_unit_dirs(root, module_dir, units, delays, backend, provider=None):
    """One plain terraform root module per unit: the module, a backend file, a tfvars file (and the
    provider block, for a module with an AWS resource)."""
    for name, deps in units.items():
        path = os.path.join(root, name)
        os.makedirs(path, exist_ok=True)
        for entry in os.listdir(module_dir):
            if entry.endswith(".tf"):
                shutil.copyfile(os.path.join(module_dir, entry), os.path.join(path, entry))
        with open(os.path.join(path, "backend.tf.json"), "w") as handle:
            json.dump(backend(name), handle, indent=1)
        if provider:
            with open(os.path.join(path, "provider.tf.json"), "w") as handle:
                json.dump(provider, handle, indent=1)
        with open(os.path.join(path, "terraform.tfvars.json"), "w") as handle:
            json.dump(unit_inputs(name, deps, delays[name]), handle, indent=1)


def write_shell_loop(root, order, terraform, destroy=False):
    """cd into each unit in order (reverse for destroy); init, then apply -auto-approve.

    Under load, moto sometimes answers the DynamoDB lock PutItem so late that terraform's SDK
    retries it and the retry finds terraform's own lock ("Error acquiring the state lock ...
    ConditionalCheckFailedException"). A person would unlock and run it again; so does the
    loop, once, and the bench counts the retry (the failed apply is in the wrapper log, rc 1).
    """
    action = "destroy" if destroy else "apply"
    units = list(reversed(order)) if destroy else list(order)
    script = """#!/usr/bin/env bash
set -uo pipefail
TF=%(tf)s
cd %(root)s
run_unit() {
  cd "$1" || return 1
  "$TF" init -input=false -no-color >init.log 2>&1 || { cat init.log >&2; return 1; }
  if ! "$TF" %(action)s -auto-approve -input=false -no-color >%(action)s.log 2>&1; then
    id=$(awk '/Lock Info:/ {found=1} found && /ID:/ {sub(/.*ID:[ \t]*/, ""); sub(/[ \t].*/, ""); print; exit}' %(action)s.log)
    if [ -z "$id" ]; then cat %(action)s.log >&2; return 1; fi
    echo "unit $1: lost its own state lock $id; force-unlock and run again" >&2
    "$TF" force-unlock -force "$id" >/dev/null 2>&1
    "$TF" %(action)s -auto-approve -input=false -no-color >%(action)s.log 2>&1 || { cat %(action)s.log >&2; return 1; }
  fi
}
for unit in %(units)s; do
  (run_unit "$unit") || exit 1
done
""" % {"tf": shlex.quote(terraform), "root": shlex.quote(root), "action": action, "units": " ".join(units)}
    path = os.path.join(root, "%s-loop.sh" % action)
    with open(path, "w") as handle:
        handle.write(script)
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
