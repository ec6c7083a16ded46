"""Units with slack hold back while units on the critical path start (with the run order's
history); without history, units start in run order, as many at once as the controller has cores."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ansible_collections.groundwork.terraform.plugins.module_utils import stack_run
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import (
    RunDir, critical_units, held_back_for, hold_back_limit, hold_back_limits, marked_at_start, start_in_order)
from ansible_collections.groundwork.terraform.plugins.module_utils.terraform_cli import EventStream

REPO = Path(__file__).resolve().parents[4]
# the critical unit plans in its own process, as a unit in another Ansible worker does
CLEAR = ("import sys, time; from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import RunDir; "
         "time.sleep(float(sys.argv[3])); RunDir(sys.argv[1]).clear_starting(sys.argv[2]); print(time.time())")

MANIFEST = {"units": ["net", "db", "logs", "app"], "hold_back": {"logs": 4.5}}


def _run_dir(tmp_path, manifest=None):
    run = RunDir(str(tmp_path / "run"))
    run.create(manifest or MANIFEST)
    return run


def test_units_hold_back_for_half_the_slack_left_once_their_own_time_may_run_a_quarter_over():
    slack = {"net": 0.0, "db": 0.0, "logs": 10.0, "app": 1.2, "huge": 10.0 ** 6}
    weights = {"net": 3, "db": 8, "logs": 4, "app": 4, "huge": 1}
    limits = hold_back_limits(slack, weights)
    assert limits == {"logs": (10 - 1) / 2, "huge": stack_run.HOLD_BACK_MAX}
    # app: 1.2 s of slack, but its 4 s may run 1 s over: 0.1 s left is too little to hold back
    manifest = {"units": ["net", "db", "logs", "app", "huge"], "hold_back": limits}
    assert hold_back_limit(manifest, "logs") == 4.5 and hold_back_limit(manifest, "app") == 0.0
    assert critical_units(manifest) == ["net", "db", "app"]
    # no history (or nobody with slack): nobody holds back, nobody is waited for
    assert hold_back_limits({}, {}) == {}
    assert hold_back_limit({"units": ["a"], "hold_back": {}}, "a") == 0.0
    assert critical_units({"units": ["a"], "hold_back": {}}) == []


def test_without_a_critical_unit_starting_nobody_waits(tmp_path):
    run = _run_dir(tmp_path)
    started = time.monotonic()
    assert run.hold_back(["net", "db"], limit=30) < 0.05
    assert time.monotonic() - started < 0.05
    run.clear_starting("net")  # nothing marked: a no-op


def test_a_critical_unit_that_plans_in_another_process_releases_the_others_at_once(tmp_path):
    run = _run_dir(tmp_path)
    run.mark_starting("net")
    assert run.starting() == ["net"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "collections"))
    clearer = subprocess.Popen([sys.executable, "-c", CLEAR, run.path, "net", "0.5"], env=env,
                               stdout=subprocess.PIPE, text=True)
    held = run.hold_back(["net", "db"], limit=30)
    released = time.time()
    cleared_at = float(clearer.communicate(timeout=30)[0])
    assert 0.3 < held < 5
    assert released - cleared_at < 0.05, "released %.3f s after the plan" % (released - cleared_at)
    assert run.starting() == []


def test_holding_back_never_lasts_longer_than_its_limit(tmp_path):
    run = _run_dir(tmp_path)
    run.mark_starting("db")  # a critical unit that never gets to plan (its fork never came)
    started = time.monotonic()
    held = run.hold_back(["net", "db"], limit=0.3)
    assert 0.25 < held < 0.6 and time.monotonic() - started < 0.6
    # a mark of a unit outside the critical ones is not waited for
    assert run.hold_back(["net"], limit=5) < 0.05
    assert not os.listdir(os.path.join(run.path, stack_run.WAKE_DIR, "db"))  # the waiter left no FIFO


def test_the_plan_event_of_terraform_json_output_fires_once():
    fired = []
    events = EventStream(on_planned=lambda: fired.append(time.monotonic()))
    events.feed(json.dumps({"type": "planned_change", "change": {"resource": {"addr": "a.b"}, "action": "create"}}))
    assert not fired
    events.feed(json.dumps({"type": "change_summary", "changes": {"add": 1, "operation": "plan"}}))
    assert len(fired) == 1
    events.feed(json.dumps({"type": "change_summary", "changes": {"add": 1, "operation": "apply"}}))
    events.feed(json.dumps({"type": "change_summary", "changes": {"add": 0, "operation": "plan"}}))
    assert len(fired) == 1
    # an apply of a saved plan reports no plan: nothing fires (the unit clears its mark when done)
    applied = []
    EventStream(on_planned=lambda: applied.append(1)).feed(
        json.dumps({"type": "change_summary", "changes": {"add": 1, "operation": "apply"}}))
    assert not applied


def test_without_history_every_unit_marks_its_start_and_later_ones_hold_back_for_it():
    fresh = {"units": ["net", "db", "logs", "app"], "hold_back": {}, "start_in_order": 2}
    assert start_in_order(fresh) == 2 and held_back_for(fresh) == ["net", "db", "logs", "app"]
    # with history only the critical units mark their start; a run recorded before this key: off
    assert held_back_for(MANIFEST) == ["net", "db", "app"] and start_in_order(MANIFEST) == 0
    assert held_back_for({"units": ["a"], "hold_back": {}, "start_in_order": 0}) == []


def test_in_run_order_a_unit_waits_only_while_as_many_ahead_as_cores_are_starting(tmp_path):
    run = _run_dir(tmp_path)
    run.mark_starting("net")
    # one unit ahead starting, two may start at once: go
    assert run.hold_back(["net", "db"], limit=30, at_once=2) < 0.05
    run.mark_starting("db")
    run.mark_starting("app")  # after logs in the run order: logs does not wait for it
    env = dict(os.environ, PYTHONPATH=str(REPO / "collections"))
    clearer = subprocess.Popen([sys.executable, "-c", CLEAR, run.path, "db", "0.5"], env=env,
                               stdout=subprocess.PIPE, text=True)
    held = run.hold_back(["net", "db"], limit=30, at_once=2)
    released = time.time()
    cleared_at = float(clearer.communicate(timeout=30)[0])
    # released as soon as one of the two ahead had planned, the other still starting
    assert 0.3 < held < 5 and released - cleared_at < 0.05, (held, released - cleared_at)
    assert run.starting() == ["app", "net"]


def test_units_ready_at_once_are_marked_when_the_run_is_created_so_no_worker_race_decides():
    # net -> app; db and logs wait for nobody; logs has slack (history)
    resolved = {"net": {"name": "net", "dependencies": []}, "db": {"name": "db", "dependencies": []},
                "logs": {"name": "logs", "dependencies": []}, "app": {"name": "app", "dependencies": ["net"]}}
    history = dict(MANIFEST, mode="deploy", resolved=resolved, dependents={"net": ["app"]})
    # the critical units that wait for nobody; app is marked by net when net is done
    assert marked_at_start(history, forks=4) == ["net", "db"]
    # only units that get a fork at the first pass: nobody holds back for a queued unit
    assert marked_at_start(history, forks=1) == ["net"]
    assert marked_at_start(history, forks=None) == [] and marked_at_start(history, forks=0) == []
    # on destroy a unit waits for its dependents: app goes first, net after it
    assert marked_at_start(dict(history, mode="destroy"), forks=4) == ["db", "app"]
    fresh = dict(history, hold_back={}, start_in_order=2)
    assert marked_at_start(fresh, forks=4) == ["net", "db", "logs"]
    # with nobody to hold back for (history, nobody with slack), nobody is marked
    assert marked_at_start(dict(history, hold_back={}, start_in_order=0), forks=4) == []
