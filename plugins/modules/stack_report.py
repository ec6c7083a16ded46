#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the work is done by the action plugin of the same name, on the controller.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: stack_report
short_description: Summarise a stack run, write its JSON summary and a resume limit file
version_added: 0.1.0
description:
  - Reads the status files a stack run left in its run dir and returns one table of every unit
    (status, action, resources to add/change/destroy, seconds, why a unit was skipped), with totals.
  - Writes the same as JSON, and when units failed or were skipped, a limit file listing them so
    C(ansible-playbook ... --limit @FILE) resumes exactly the unfinished part of the graph.
  - Fails when a unit failed, and with O(fail_on_changes) when a plan would change anything.
  - Publishes the summary as the custom stat C(groundwork_summary) (what C(set_stats) does), which
    AWX and C(show_custom_stats) show.
  - Runs on the controller, in-process (an action); use it with C(run_once).
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Reading and summarising is the same in check mode; the files are still written.
  diff_mode:
    support: none
    description: Can show a diff of what would change.
options:
  run_dir:
    description: The run dir the C(groundwork.terraform.stack_run) task returned.
    type: path
    required: true
  summary_file:
    description: Where to write the JSON summary.
    type: path
  limit_file:
    description: Where to write the failed and skipped units (removed when everything succeeded).
    type: path
  fail_on_changes:
    description: Fail when any unit would change (for CI gates on plans).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summarise the run
  groundwork.terraform.stack_report:
    run_dir: "{{ groundwork_run_dir }}"
    summary_file: .groundwork/last-run.json
    limit_file: .groundwork/unfinished.limit
  register: report
"""

RETURN = r"""
table:
  description: The summary as a text table.
  returned: always
  type: str
table_lines:
  description: RV(table) as a list of lines (for C(debug)).
  returned: always
  type: list
  elements: str
summary:
  description: Per unit status, action, counts, duration and notes; totals and counts of statuses.
  returned: always
  type: dict
summary_file:
  description: Path of the JSON summary, when written.
  returned: when O(summary_file) is set
  type: str
limit_file:
  description: Path of the limit file, when units did not finish.
  returned: when units failed or were skipped
  type: str
"""
