#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the work is done by the action plugin of the same name, on the controller.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: stack_run
short_description: Resolve, validate and order a stack of inventory units before any of them runs
version_added: 0.1.0
description:
  - Reads the merged inventory variables of every host of group C(terraform_units) (one host per
    Terraform unit), resolves each unit's module source, backend and default state key
    (C(<env_name>/<aws_region>/<unit>/terraform.tfstate)), AWS provider settings and work dir.
  - Validates the whole stack offline before anything runs, reporting every problem at once
    (unknown module, input that is not a variable of the module, missing required variable,
    C(dependency.X.Y) naming no output of X's module, dependency not declared, unknown dependency,
    cycle named as C(a -> b -> a), two units sharing a state key).
  - With O(bootstrap) (C(deploy.yml)), once the whole stack is valid, ensures each distinct state backend of
    the units in the run once (see M(groundwork.terraform.stack_backends)); units with C(allow_local_state)
    and no C(tf_state_bucket) have none. A backend ensured with identical settings less than
    O(backend_recheck_after) seconds ago is only checked to be reachable, unless O(backend_recheck).
  - Then checks that the credentials reach every backend (STS GetCallerIdentity, S3 HeadBucket).
  - Writes the run manifest that the C(groundwork.terraform.stack_unit) tasks of the units work from.
  - For destroy, refuses unless O(confirm_destroy) equals the inventory's C(env_name), and always
    when a unit sets C(destroy_protection).
  - Runs on the controller; use it with C(run_once).
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Planning a run writes only its manifest.
  diff_mode:
    support: none
    description: Can show a diff of what would change.
options:
  mode:
    description: V(validate) checks only; the others also write a run dir for the units.
    type: str
    choices: [deploy, plan, destroy, validate]
    default: deploy
  units:
    description: Units in this run (normally C(ansible_play_hosts_all), which honours C(--limit)).
    type: list
    elements: str
  all_units:
    description: Every unit of the stack. Defaults to the hosts of group C(terraform_units).
    type: list
    elements: str
  project_dir:
    description: Base for relative paths and for C(.groundwork/). Defaults to the current directory.
    type: path
  run_root:
    description: Where run dirs are made. Defaults to C(<project_dir>/.groundwork/runs).
    type: path
  confirm_destroy:
    description: Must equal the inventory's C(env_name) for O(mode=destroy).
    type: str
  bootstrap:
    description:
      - With O(mode=deploy), ensure each distinct state backend of the run's units once, after
        validating the whole stack. Per-unit settings C(tf_state_<name>), defaulting to the unit's
        C(backend_<name>) variables (as the C(groundwork.terraform.backend) role's variables), then to
        the defaults of M(groundwork.terraform.state_backend); C(backend_profile) for the credentials.
    type: bool
    default: false
  backend_recheck:
    description:
      - Read and converge every backend even when an earlier run ensured it with identical settings
        less than O(backend_recheck_after) seconds ago (markers in C(<project_dir>/.groundwork/backends)).
      - Without it, such a backend is only checked to be reachable (STS GetCallerIdentity, S3
        HeadBucket); a deleted bucket is still refused before any terraform runs, but a setting changed
        by hand since (versioning suspended, say) is put back only by a recheck.
    type: bool
    default: false
  backend_recheck_after:
    description: Seconds a backend verified by an earlier run is trusted without being read again; V(0) re-reads every run.
    type: int
    default: 86400
"""

EXAMPLES = r"""
- name: Plan the stack run
  groundwork.terraform.stack_run:
    mode: deploy
    units: "{{ ansible_play_hosts_all }}"
  run_once: true
  register: groundwork_stack
"""

RETURN = r"""
order:
  description:
    - Units of this run in the order the units play hands them to forks, dependencies first (for destroy,
      dependents first). It is the order in which as many slots as forks would start them, the unit with the
      heaviest chain of work still behind it first, weighted by each unit's terraform time in the newest
      earlier run of the same environment and mode (on an environment's first run, of the same mode in
      another environment of the project; 1 each without any). Between equal chains the unit more units wait
      for (directly or not) goes first, then alphabetical order.
    - Under the free strategy a unit waiting for its dependencies holds its fork, so this keeps ready units
      from queueing behind waiting ones, and starts known slow units early.
  returned: success
  type: list
  elements: str
layers:
  description: Groups of units that can run together, in order.
  returned: success
  type: list
  elements: list
units:
  description: Resolved settings per unit (source, backend, state_key, work_dir, dependencies, ...).
  returned: success
  type: dict
mermaid:
  description: The dependency graph as a Mermaid flowchart.
  returned: success
  type: str
run_dir:
  description: The run dir for the units' C(stack_unit) tasks and C(stack_report).
  returned: unless O(mode=validate)
  type: str
backends:
  description: With O(bootstrap), one entry per distinct backend, as RV(groundwork.terraform.stack_backends#module:backends).
  returned: with O(bootstrap)
  type: list
  elements: dict
local_units:
  description: With O(bootstrap), units that keep local state (no backend to ensure).
  returned: with O(bootstrap)
  type: list
  elements: str
"""
