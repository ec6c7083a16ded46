"""Turning one measured run into figures: per-unit spans, terraform time, overhead."""
from __future__ import annotations

import glob
import json
import os
import statistics


def tf_by_dir(procs):
    """{work dir: [process, ...]} from the wrapper log."""
    found = {}
    for proc in procs:
        found.setdefault(os.path.realpath(proc["cwd"]), []).append(proc)
    return found


def busy(procs):
    return sum(p["end"] - p["start"] for p in procs)


def latest_run_dir(project_dir, env_name, mode):
    runs = [d for d in glob.glob(os.path.join(project_dir, ".groundwork", "runs", "%s-%s-*" % (env_name, mode)))
            if os.path.isdir(d)]
    return max(runs, key=os.path.getmtime) if runs else None


def read_run(run_dir):
    with open(os.path.join(run_dir, "run.json")) as handle:
        manifest = json.load(handle)
    statuses = {}
    for path in glob.glob(os.path.join(run_dir, "unit-*.json")):
        with open(path) as handle:
            record = json.load(handle)
        statuses[record["unit"]] = record
    return manifest, statuses


def stack_run(measured, run_dir, units, tf_procs, mode):
    """Figures of one deploy/plan/destroy run from its status files and the wrapper log.

    Per unit: ``ready`` is when its last dependency finished (dependents for destroy), or
    when the unit's task started if it has none; ``span`` = finished - ready;
    ``terraform`` = seconds inside terraform processes in its work dir;
    ``overhead`` = span - terraform (waiting to notice, output reads, Ansible, module
    start-up, python in the module). ``module_python`` = module duration - terraform.
    """
    manifest, statuses = read_run(run_dir)
    by_dir = tf_by_dir(tf_procs)
    upstream = {u: list(deps) for u, deps in units.items()}
    if mode == "destroy":
        upstream = {u: [d for d, deps in units.items() if u in deps] for u in units}
    rows = {}
    # the unit's task start: waiting_since since the status files have it (started is after the
    # dependency wait now), else started (older runs)
    starts = [r.get("waiting_since") or r["started"] for r in statuses.values() if r.get("started")]
    play_start = min(starts) if starts else measured["started"]
    for name, record in statuses.items():
        started, finished = record.get("waiting_since") or record.get("started"), record.get("finished")
        if started is None or finished is None:
            rows[name] = {"status": record.get("status"), "error": record.get("error")}
            continue
        deps_done = [statuses[d].get("finished") or statuses[d].get("at") for d in upstream.get(name, [])
                     if d in statuses]
        # graph_ready: when the graph allowed it to start (its last dependency finished, or the
        # units play began); queued: how long after that Ansible gave it a fork (forks < units)
        graph_ready = max([play_start] + [t for t in deps_done if t])
        ready = max(started, graph_ready)
        procs = by_dir.get(os.path.realpath(record.get("work_dir") or ""), [])
        procs = [p for p in procs if p["start"] >= started - 1 and p["end"] <= finished + 1]
        tf = busy(procs)
        duration = record.get("duration") or 0.0
        rows[name] = {
            "status": record.get("status"), "changed": record.get("changed"),
            "task_start": started, "graph_ready": graph_ready, "queued": max(0.0, started - graph_ready),
            "ready": ready, "finished": finished,
            "span": finished - ready, "terraform": tf, "overhead": finished - ready - tf,
            "module_duration": duration, "module_python": duration - tf,
            "outside_module": finished - ready - duration,
            # from ready to its first terraform process: what a unit pays before any real work
            "start_latency": (min(p["start"] for p in procs) - ready) if procs else None,
            "terraform_processes": len(procs), "terraform_processes_reported": record.get("terraform_processes"),
            "commands": [p["command"] for p in procs],
            "tf_intervals": [[p["start"], p["end"], p["command"]] for p in procs],
        }
    done = [r for r in rows.values() if "span" in r]
    n = max(1, len(done))
    first = min((r["task_start"] for r in done), default=measured["started"])
    last = max((r["finished"] for r in done), default=measured["finished"])
    result = dict(measured)
    result.update({
        "run_dir": run_dir, "units": rows, "unit_count": len(rows),
        "failed_units": sorted(u for u, r in rows.items() if r.get("status") == "failed"),
        "units_phase": last - first,
        "outside_units_phase": measured["wall"] - (last - first),
        "terraform_seconds": sum(r["terraform"] for r in done),
        "overhead_per_unit_mean": sum(r["overhead"] for r in done) / n,
        "overhead_per_unit_median": statistics.median([r["overhead"] for r in done]) if done else 0.0,
        "outside_module_per_unit_mean": sum(r["outside_module"] for r in done) / n,
        "module_python_per_unit_mean": sum(r["module_python"] for r in done) / n,
        # every terraform process of the run (version checks run outside the unit's work dir)
        "tf_processes_per_unit": len(tf_procs) / n,
        "tf_processes_in_work_dir_per_unit": sum(r["terraform_processes"] for r in done) / n,
        "queued_for_fork_seconds": sum(r["queued"] for r in done),
        "start_latency_median": statistics.median([r["start_latency"] for r in done if r["start_latency"] is not None])
        if any(r["start_latency"] is not None for r in done) else None,
        "inits_overlapping": _overlaps([(s, e) for r in done for s, e, c in r["tf_intervals"] if c == "init"]),
        "tf_process_kinds": _kinds(tf_procs),
        "applies": sum(1 for p in tf_procs if p["command"] == "apply"),
        "inits": sum(1 for p in tf_procs if p["command"] == "init"),
        "run_started": first,
    })
    return result


def gap_to_bound(run, path, single_apply):
    """Where a deploy's wall time beyond the critical-path bound went, along the bound's path.

    ``path``: the bound's units in order; ``single_apply``: each unit's apply alone (the shell
    loop), whose sum along ``path`` is the bound. The parts add up to wall - bound:
    ``before``: process start to the first path unit's task (ansible start-up, the plays before
    the units); per path unit ``off_path`` (its ready time came from a dependency off the path
    that finished later than the previous path unit), ``queued`` (ready, no fork yet),
    ``init`` (init processes on the path: not done ahead), ``apply_slower`` (its apply against
    the same apply alone: contention), ``handover`` (the rest: noticing the dependency, outputs,
    python around terraform); ``after``: the last path unit's end to the process end (other
    units still running, the report, exit). None when a path unit has no timings.
    """
    rows = run.get("units") or {}
    parts = {"before": 0.0, "off_path": 0.0, "queued": 0.0, "init": 0.0, "apply_slower": 0.0, "handover": 0.0,
             "after": 0.0}
    previous_end = None
    for name in path:
        row = rows.get(name) or {}
        if "task_start" not in row:
            return None
        ready, task_start, finished = row["graph_ready"], row["task_start"], row["finished"]
        if previous_end is None:
            parts["before"] = min(ready, task_start) - run["started"]
            ready = min(ready, task_start)
        else:
            parts["off_path"] += max(0.0, ready - previous_end)
        begin = max(ready, task_start)
        parts["queued"] += begin - ready
        own = [(start, end, command) for start, end, command in row.get("tf_intervals", []) if start >= begin - 0.001]
        init = sum(end - start for start, end, command in own if command == "init")
        applies = sum(end - start for start, end, command in own if command in ("apply", "plan", "show"))
        parts["init"] += init
        parts["apply_slower"] += applies - single_apply.get(name, 0.0)
        parts["handover"] += (finished - begin) - init - applies
        previous_end = finished
    parts["after"] = run["started"] + run["wall"] - previous_end
    parts["total"] = sum(parts.values())
    return parts


def baseline(measured, root, units, tf_procs):
    """Figures of a baseline run: per unit, time in each terraform command."""
    by_dir = tf_by_dir(tf_procs)
    rows = {}
    for name in units:
        procs = by_dir.get(os.path.realpath(os.path.join(root, name)), [])
        per, last_ok = {}, {}
        for proc in procs:
            per[proc["command"]] = per.get(proc["command"], 0.0) + proc["end"] - proc["start"]
            if proc["rc"] == 0:
                last_ok[proc["command"]] = proc["end"] - proc["start"]
        rows[name] = {"terraform": busy(procs), "by_command": per, "last_ok": last_ok,
                      # plan -detailed-exitcode exits 2 on changes: only failed applies/destroys count
                      "failed_processes": sum(1 for p in procs if p["rc"] != 0 and p["command"] in ("apply", "destroy")),
                      "terraform_processes": len(procs),
                      "tf_intervals": [[p["start"], p["end"], p["command"]] for p in procs]}
    n = max(1, len(rows))
    tf = sum(r["terraform"] for r in rows.values())
    result = dict(measured)
    result.update({
        "units": rows, "terraform_seconds": tf,
        "overhead_per_unit_mean": (measured["wall"] - tf) / n,
        "tf_processes_per_unit": sum(r["terraform_processes"] for r in rows.values()) / n,
        "tf_process_kinds": _kinds(tf_procs),
        "retried_units": sorted(u for u, r in rows.items() if r["failed_processes"]),
    })
    return result


def _overlaps(intervals):
    """How many intervals start before an earlier one ended (0: they ran strictly one by one)."""
    intervals = sorted(intervals)
    latest, count = None, 0
    for start, end in intervals:
        if latest is not None and start < latest:
            count += 1
        latest = end if latest is None else max(latest, end)
    return count


def _kinds(procs):
    kinds = {}
    for proc in procs:
        kinds[proc["command"]] = kinds.get(proc["command"], 0) + 1
    return kinds


def ansible_phases(events):
    """Seconds per play and per task name (summed over hosts) from the timeline callback."""
    plays, tasks = [], {}
    for event in events:
        if event.get("event") == "play":
            plays.append([event["play"], event["at"]])
        elif event.get("event") == "task" and event.get("start"):
            key = "%s / %s" % (event.get("play"), event.get("task"))
            entry = tasks.setdefault(key, {"count": 0, "seconds": 0.0, "first_start": event["start"],
                                           "last_end": event["end"]})
            entry["count"] += 1
            entry["seconds"] += event["end"] - event["start"]
            entry["first_start"] = min(entry["first_start"], event["start"])
            entry["last_end"] = max(entry["last_end"], event["end"])
    end = next((e["at"] for e in events if e.get("event") == "end"), None)
    play_seconds = []
    for i, (name, at) in enumerate(plays):
        until = plays[i + 1][1] if i + 1 < len(plays) else end
        play_seconds.append({"play": name, "seconds": (until - at) if until else None})
    return {"plays": play_seconds, "tasks": tasks}
