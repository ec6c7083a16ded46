# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The end of every stack run: one table of every unit, totals, a JSON file, a resume file."""
from __future__ import annotations

import json
import os

from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import write_private
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import FAILED, OK, SKIPPED, RunDir

NOT_RUN = "not run"


def collect(run_dir):
    run = RunDir(run_dir)
    manifest = run.manifest
    statuses = run.statuses()
    rows = []
    for unit in manifest["units"]:
        record = statuses.get(unit) or {"status": NOT_RUN}
        plan = record.get("plan") or {}
        status = record.get("status")
        note = ""
        if status == SKIPPED:
            note = "blocked by %s" % record.get("blocked_by")
        elif status == FAILED:
            note = " ".join(str(record.get("error") or "").split())[:160]
        elif record.get("mocked_dependencies"):
            note = "depends on unknown outputs of %s" % ", ".join(record["mocked_dependencies"])
        rows.append({
            "unit": unit,
            "status": status,
            "action": _action(manifest["mode"], record),
            "add": plan.get("add") or 0,
            "change": plan.get("change") or 0,
            "destroy": plan.get("destroy") or 0,
            "changed": bool(record.get("changed")),
            "duration": round(record.get("duration") or 0, 2),
            "mocked_dependencies": record.get("mocked_dependencies") or [],
            "resource_changes": record.get("resource_changes") or [],
            "note": note,
            "log_path": record.get("log_path"),
            # seconds it let units on the critical path start first (runs with history only)
            "held_back": record.get("held_back"),
        })
    totals = {k: sum(r[k] for r in rows) for k in ("add", "change", "destroy")}
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in (OK, FAILED, SKIPPED, NOT_RUN)}
    return {"mode": manifest["mode"], "run_dir": run.path, "units": rows, "totals": totals, "counts": counts,
            "failed": [r["unit"] for r in rows if r["status"] == FAILED],
            "unfinished": [r["unit"] for r in rows if r["status"] != OK]}


def _action(mode, record):
    plan = record.get("plan") or {}
    if record.get("status") != OK:
        return "-"
    if mode == "plan" or record.get("plan_only"):
        if record.get("plan_only") and mode != "plan":
            return "plan only: would change" if plan.get("has_changes") else "plan only: no change"
        return "would change" if plan.get("has_changes") else "no change"
    if mode == "destroy":
        return "destroyed" if record.get("changed") else "nothing to destroy"
    return "applied" if record.get("changed") else "no change"


def render(report):
    header = ("unit", "status", "action", "add", "change", "destroy", "seconds", "note")
    rows = [(r["unit"], r["status"], r["action"], str(r["add"]), str(r["change"]), str(r["destroy"]),
             "%.1f" % r["duration"], r["note"]) for r in report["units"]]
    totals = report["totals"]
    rows.append(("TOTAL", "%d ok, %d failed, %d skipped" % (report["counts"][OK], report["counts"][FAILED],
                                                            report["counts"][SKIPPED]),
                 "", str(totals["add"]), str(totals["change"]), str(totals["destroy"]), "", ""))
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]

    def line(row):
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
    rule = "-" * len(line(header))
    return "\n".join([line(header), rule] + [line(r) for r in rows[:-1]] + [rule, line(rows[-1])])


def write_files(report, summary_file=None, limit_file=None):
    written = {}
    if summary_file:
        _private(summary_file, json.dumps(report, indent=2, sort_keys=True))
        written["summary_file"] = os.path.abspath(summary_file)
    if limit_file:
        if report["unfinished"]:
            _private(limit_file, "\n".join(report["unfinished"]) + "\n")
            written["limit_file"] = os.path.abspath(limit_file)
        elif os.path.exists(limit_file):
            os.remove(limit_file)
    return written


def _private(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_private(path, text)
