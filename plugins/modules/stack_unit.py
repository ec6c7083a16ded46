#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the work is done by the action plugin of the same name, on the controller.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: stack_unit
short_description: Run one inventory unit inside a stack run, after its dependencies
version_added: 0.1.0
description:
  - Waits until every dependency of the unit in this run has succeeded (for destroy, every
    dependent has been destroyed), then runs M(groundwork.terraform.unit) with the settings
    C(groundwork.terraform.stack_run) resolved. Under the C(free) strategy with hosts in
    dependency order this is ready-set scheduling, deadlock-free for any number of forks.
  - A dependency that failed or was skipped makes this unit skipped, naming the failed unit.
  - C(unit_inputs) are templated here with C(dependency.<unit>.<output>) set to each dependency's
    outputs, read from its state (one S3 GET, no terraform process). A dependency without state
    gets mock outputs in plans (typed from its module's C(outputs.tf), overridden by
    C(unit_mock_outputs)); such plans name the mocked inputs and are never applied.
  - Optional caps, at most C(unit_concurrency_limit) units of one C(unit_concurrency_group) at once.
  - With the run order's history (terraform times of earlier runs of this environment, or of
    another environment of the project), a unit that can start later without delaying the run
    (its slack, from those times) holds back while units on the critical path start, until each
    has made its plan, since terraform processes starting together on a small machine slow each
    other down. It holds back at most half the slack left once its own time may run a quarter over
    the last one's, and 5 seconds at most. Without history for every unit, units made ready
    together start in run order instead, as many at once as the controller has cores, each holding
    back 1 second at most.
  - Sets the fact C(unit_outputs) (sensitive outputs masked).
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Passed to M(groundwork.terraform.unit), which plans.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode).
    support: full
    details: Passed to M(groundwork.terraform.unit).
options:
  run_dir:
    description: The run dir C(groundwork.terraform.stack_run) returned.
    type: path
    required: true
  mode:
    description: What the run does.
    type: str
    choices: [deploy, plan, destroy]
    default: deploy
  name:
    description: The unit. Defaults to C(inventory_hostname).
    type: str
  plan_dir:
    description: With O(mode=plan), save each unit's plan as C(<plan_dir>/<unit>.tfplan).
    type: path
  wait_timeout:
    description: Seconds to wait for dependencies.
    type: int
    default: 21600
  lock_timeout:
    description: Passed to M(groundwork.terraform.unit).
    type: str
  parallelism:
    description: Passed to M(groundwork.terraform.unit).
    type: int
  targets:
    description: Passed to M(groundwork.terraform.unit).
    type: list
    elements: str
  replace:
    description: Passed to M(groundwork.terraform.unit).
    type: list
    elements: str
  env:
    description: Passed to M(groundwork.terraform.unit).
    type: dict
  log_dir:
    description: Passed to M(groundwork.terraform.unit).
    type: path
  allow_unlocked:
    description: Passed to M(groundwork.terraform.unit).
    type: bool
  backend_change:
    description: Passed to M(groundwork.terraform.unit).
    type: str
    choices: [fail, migrate, reconfigure]
"""

EXAMPLES = r"""
- name: Run the unit in dependency order
  groundwork.terraform.stack_unit:
    run_dir: "{{ groundwork_run_dir }}"
    mode: deploy
"""

RETURN = r"""
outputs:
  description: The unit's outputs (see M(groundwork.terraform.unit)).
  returned: success
  type: dict
plan:
  description: The plan summary (see M(groundwork.terraform.unit)).
  returned: success
  type: dict
held_back:
  description:
    - Seconds this unit held back its start, with history for units on the critical path,
      without history for units ahead of it in the run order (as many may start at once as the
      controller has cores).
  returned: when the run has history and this unit has slack, or the run has no history
  type: float
skip_reason:
  description: Which failed unit blocked this one.
  returned: when skipped
  type: str
"""
