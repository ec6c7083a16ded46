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
  - Under the table, the run's critical path, from the same status files - the unit that finished
    last, the unit it waited for that finished last, and so on back - with each unit's seconds and
    the time between them, so you see which units a faster run must start with.
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
  description: Per unit status, action, counts, duration and notes; totals and counts of statuses; the critical path.
  returned: always
  type: dict
  contains:
    critical_path:
      description:
        - The chain of units that decided when the run ended, first to last (on destroy, dependents
          before what they depend on). Null when no unit ran.
        - C(units) lists C(unit), C(status), C(seconds) (its own work, from its start once what it
          waited for was done to its end) and C(after) (seconds from the end of the unit before it
          on the chain, for the first from the run's plan, to its start).
        - C(seconds) sums the units' own seconds, C(between) the C(after) of all but the first, and
          C(run_seconds) is the time from the run's plan to the chain's end.
      returned: always
      type: dict
      sample:
        units:
          - {unit: network, status: ok, seconds: 2.1, after: 0.6}
          - {unit: app, status: ok, seconds: 5.4, after: 0.1}
        seconds: 7.5
        between: 0.1
        run_seconds: 8.2
summary_file:
  description: Path of the JSON summary, when written.
  returned: when O(summary_file) is set
  type: str
limit_file:
  description: Path of the limit file, when units did not finish.
  returned: when units failed or were skipped
  type: str
"""
