# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The end of every stack run: one table of every unit, totals, the run's critical path, a JSON
file, a resume file."""
from __future__ import annotations

import json
import os

from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import write_private
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import (
    FAILED, OK, SKIPPED, RunDir, is_number, waits_for)

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
            "unfinished": [r["unit"] for r in rows if r["status"] != OK],
            "critical_path": critical_path(manifest, statuses)}


def critical_path(manifest, statuses):
    """The chain of units that decided when this run ended, from its status files: the unit that
    finished last, the unit it waited for that finished last, and so on back to a unit that waited
    for none: the units to make faster first for a faster run (one off the chain matters only
    through a fork or CPU it took from one on it).

    Per unit: ``seconds`` from the start of its own work (its dependencies done) to its end, and
    ``after`` = seconds between the end of the unit before it on the chain (for the first: the
    run's plan) and that start: hand-over, a fork to wait for, holding back. Totals: ``seconds``
    (the units' own), ``between`` (every ``after`` but the first's) and ``run_seconds`` (plan to the
    chain's end).
    None when no unit ran (all skipped, or not started yet).
    """
    mode, resolved = manifest["mode"], manifest.get("resolved") or {}
    ran = {}
    for unit, record in statuses.items():
        started, ended = record.get("started"), record.get("finished") or record.get("at")
        if record.get("status") in (OK, FAILED) and is_number(started) and is_number(ended) and unit in resolved:
            ran[unit] = (float(started), float(ended))
    if not ran:
        return None
    unit = max(ran, key=lambda u: (ran[u][1], u))
    chain = [unit]
    while True:
        before = [u for u in waits_for(manifest, resolved[unit], mode) if u in ran]
        if not before:
            break
        unit = max(before, key=lambda u: (ran[u][1], u))
        chain.append(unit)
    chain.reverse()
    planned = manifest.get("started") if is_number(manifest.get("started")) else None
    steps, previous_end = [], planned
    for unit in chain:
        started, ended = ran[unit]
        after = started - previous_end if previous_end is not None else None
        steps.append({"unit": unit, "status": statuses[unit]["status"], "seconds": round(ended - started, 2),
                      "after": round(max(after, 0.0), 2) if after is not None else None})
        previous_end = ended
    return {"units": steps, "seconds": round(sum(s["seconds"] for s in steps), 2),
            "between": round(sum(s["after"] for s in steps[1:]), 2),
            "run_seconds": round(ran[chain[-1]][1] - (ran[chain[0]][0] if planned is None else planned), 2)}


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
    return "\n".join([line(header), rule] + [line(r) for r in rows[:-1]] + [rule, line(rows[-1])]
                     + render_critical_path(report.get("critical_path")))


def render_critical_path(path):
    """Two lines under the table: what the run's length was made of, then the chain itself (no
    ": " and no leading blank, so Ansible's YAML output shows them unquoted)."""
    if not path:
        return []
    steps = path["units"]
    parts = ["%.1f s in %d unit%s" % (path["seconds"], len(steps), "" if len(steps) == 1 else "s")]
    if steps[0]["after"] is not None:
        parts.insert(0, "%.1f s to its first unit" % steps[0]["after"])
    if len(steps) > 1:
        parts.append("%.1f s between" % path["between"])
    chain = " > ".join("%s %.1f s%s" % (step["unit"], step["seconds"], "" if step["status"] == OK else " (failed)")
                       for step in steps)
    return ["critical path %.1f s = %s" % (path["run_seconds"], " + ".join(parts)), chain]


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
