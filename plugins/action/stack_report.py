# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summarises a stack run on the controller: table, JSON summary, resume limit file, custom stats.

An action, not a module: reading a few status files needs no module payload and no new
interpreter (a module cost the report play ~1-3 s, measured in docs/PERFORMANCE.md).
"""
from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_report import collect, render, write_files


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("run_dir", "summary_file", "limit_file", "fail_on_changes"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        if not args.get("run_dir"):
            return dict(result, failed=True, msg="stack_report: run_dir is required (the run dir stack_run returned)")
        try:
            report = collect(args["run_dir"])
            table = render(report)
            result.update(changed=False, table=table, table_lines=table.splitlines(), summary=report)
            result.update(write_files(report, args.get("summary_file"), args.get("limit_file")))
        except GroundworkError as exc:
            return dict(result, failed=True, **exc.fail_kwargs())
        except OSError as exc:
            return dict(result, failed=True, msg="stack_report: cannot write %s: %s" % (exc.filename, exc.strerror))
        # what ansible.builtin.set_stats does: AWX shows it as the job's artifacts
        result["ansible_stats"] = {"data": {"groundwork_summary": report}, "per_host": False, "aggregate": False}
        if report["failed"]:
            return dict(result, failed=True, msg="%d unit(s) failed: %s; %d skipped. Resume with --limit @%s" % (
                len(report["failed"]), ", ".join(report["failed"]), report["counts"]["skipped"],
                result.get("limit_file", "<limit file>")))
        changing = [r["unit"] for r in report["units"] if r["add"] or r["change"] or r["destroy"]
                    or r["action"] == "would change"]
        if boolean(args.get("fail_on_changes") or False) and changing:
            return dict(result, failed=True, msg="fail_on_changes: %d unit(s) would change: %s"
                        % (len(changing), ", ".join(changing)))
        return result
