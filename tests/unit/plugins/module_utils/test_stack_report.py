"""The report's critical path: which chain of units decided when a stack run ended."""
from __future__ import annotations

from ansible_collections.groundwork.terraform.plugins.module_utils.stack_report import (
    collect, critical_path, render)
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import RunDir

T0 = 1_800_000_000.0  # the run's plan
# a diamond with a tail: net -> (db, iam) -> app -> (dns, mon); mon also needs db
DEPS = {"net": [], "db": ["net"], "iam": ["net"], "app": ["db", "iam"], "dns": ["app"], "mon": ["app", "db"]}


def _manifest(mode="deploy", deps=DEPS):
    dependents = {u: sorted(d for d, ds in deps.items() if u in ds) for u in deps}
    return {"mode": mode, "units": list(deps), "started": T0, "dependents": dependents,
            "resolved": {u: {"name": u, "dependencies": ds} for u, ds in deps.items()}}


def _record(status, started, finished):
    return {"status": status, "started": T0 + started, "finished": T0 + finished, "at": T0 + finished}


def test_the_chain_goes_back_through_the_dependency_that_finished_last():
    statuses = {
        "net": _record("ok", 0.5, 2.5),
        "db": _record("ok", 2.6, 9.0),   # the slow side of the diamond
        "iam": _record("ok", 2.6, 4.0),
        "app": _record("ok", 9.2, 11.0),
        "dns": _record("ok", 11.1, 12.0),
        "mon": _record("ok", 11.1, 13.5),  # ends the run
    }
    path = critical_path(_manifest(), statuses)
    assert [step["unit"] for step in path["units"]] == ["net", "db", "app", "mon"]
    assert [step["seconds"] for step in path["units"]] == [2.0, 6.4, 1.8, 2.4]
    # after: from the plan to the first start, then from each unit's end to the next one's start
    assert [step["after"] for step in path["units"]] == [0.5, 0.1, 0.2, 0.1]
    assert path["seconds"] == 12.6 and path["between"] == 0.4 and path["run_seconds"] == 13.5
    # the parts add up to the run
    assert round(path["units"][0]["after"] + path["seconds"] + path["between"], 2) == path["run_seconds"]


def test_on_destroy_the_chain_follows_the_dependents():
    statuses = {  # destroy: leaves first, net last
        "dns": _record("ok", 0.4, 1.0), "mon": _record("ok", 0.4, 3.0), "app": _record("ok", 3.1, 4.0),
        "db": _record("ok", 4.1, 5.0), "iam": _record("ok", 4.1, 4.5), "net": _record("ok", 5.2, 6.0),
    }
    path = critical_path(_manifest("destroy"), statuses)
    assert [step["unit"] for step in path["units"]] == ["mon", "app", "db", "net"]


def test_a_failed_unit_can_end_the_chain_and_skipped_units_are_not_on_it():
    statuses = {
        "net": _record("ok", 0.5, 2.5),
        "db": _record("failed", 2.6, 7.0),
        "iam": _record("ok", 2.6, 4.0),
        "app": {"status": "skipped", "blocked_by": "db", "at": T0 + 7.0},
        "dns": {"status": "skipped", "blocked_by": "db", "at": T0 + 7.0},
        "mon": {"status": "skipped", "blocked_by": "db", "at": T0 + 7.0},
    }
    path = critical_path(_manifest(), statuses)
    assert [(s["unit"], s["status"]) for s in path["units"]] == [("net", "ok"), ("db", "failed")]
    assert critical_path(_manifest(), {"app": statuses["app"]}) is None  # nothing ran
    assert critical_path(_manifest(), {}) is None


def test_a_unit_outside_the_run_is_not_followed():
    """--limit app: its dependencies are outside the run (their outputs read from state)."""
    manifest = _manifest()
    manifest["units"] = ["app"]
    path = critical_path(manifest, {"app": _record("ok", 0.3, 2.0)})
    assert [step["unit"] for step in path["units"]] == ["app"]
    assert path["between"] == 0.0 and path["run_seconds"] == 2.0


def test_the_table_ends_with_the_critical_path(tmp_path):
    run = RunDir(tmp_path / "run")
    run.create(_manifest())
    for unit, (started, finished) in {"net": (0.5, 2.5), "db": (2.6, 9.0), "iam": (2.6, 4.0),
                                      "app": (9.2, 11.0), "dns": (11.1, 12.0), "mon": (11.1, 13.5)}.items():
        run.set_status(unit, "ok", started=T0 + started, finished=T0 + finished, duration=finished - started,
                       changed=True, plan={"add": 1})
    report = collect(run.path)
    assert [step["unit"] for step in report["critical_path"]["units"]] == ["net", "db", "app", "mon"]
    lines = render(report).splitlines()
    assert lines[-2] == "critical path 13.5 s = 0.5 s to its first unit + 12.6 s in 4 units + 0.4 s between"
    assert lines[-1] == "net 2.0 s > db 6.4 s > app 1.8 s > mon 2.4 s"
    assert lines[-3].startswith("TOTAL")
