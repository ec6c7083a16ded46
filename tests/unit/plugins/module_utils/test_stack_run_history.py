from __future__ import annotations

from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import (
    RunDir, previous_durations, run_dir_name)


def _run(root, env, mode, stamp, records, changed=False):
    run = RunDir(root / run_dir_name(env, mode, stamp, "abc123"))
    run.create({"units": sorted(records)})
    for unit, (status, duration) in records.items():
        run.set_status(unit, status, duration=duration, changed=changed)


def test_the_newest_run_of_the_same_environment_and_mode_gives_the_weights(tmp_path):
    _run(tmp_path, "prod", "deploy", "20261101T100000", {"a": ("ok", 10.0), "b": ("ok", 2.0)})
    _run(tmp_path, "prod", "deploy", "20261102T100000", {"a": ("ok", 12.5), "b": ("failed", 0.4), "c": ("ok", 3)})
    _run(tmp_path, "prod", "destroy", "20261103T100000", {"a": ("ok", 1.0)})
    _run(tmp_path, "dev", "deploy", "20261104T100000", {"a": ("ok", 99.0)})
    # b failed in the newest run: its time in the run before
    assert previous_durations(str(tmp_path), "prod", "deploy") == {"a": 12.5, "b": 2.0, "c": 3.0}
    assert previous_durations(str(tmp_path), "prod", "destroy") == {"a": 1.0}
    assert previous_durations(str(tmp_path), "prod", "plan") == {}
    assert previous_durations(str(tmp_path / "missing"), "prod", "deploy") == {}


def test_a_run_that_finished_nothing_is_passed_over(tmp_path):
    _run(tmp_path, "prod", "deploy", "20261101T100000", {"a": ("ok", 10.0)})
    _run(tmp_path, "prod", "deploy", "20261102T100000", {"a": ("failed", 1.0)})
    (tmp_path / run_dir_name("prod", "deploy", "20261103T100000", "def456")).mkdir()  # planned, never ran
    assert previous_durations(str(tmp_path), "prod", "deploy") == {"a": 10.0}


def test_an_environment_with_runs_never_reads_another_whose_name_it_prefixes(tmp_path):
    _run(tmp_path, "a-deploy", "deploy", "20261101T100000", {"x": ("ok", 50.0)})
    _run(tmp_path, "a", "deploy", "20261101T090000", {"x": ("ok", 5.0)})
    assert previous_durations(str(tmp_path), "a", "deploy") == {"x": 5.0}
    assert previous_durations(str(tmp_path), "a-deploy", "deploy") == {"x": 50.0}


def test_a_first_run_takes_the_newest_run_of_the_mode_in_another_environment(tmp_path):
    _run(tmp_path, "dev", "deploy", "20261101T100000", {"net": ("ok", 4.0), "db": ("ok", 30.0)})
    _run(tmp_path, "staging", "deploy", "20261102T100000", {"net": ("ok", 5.0), "db": ("ok", 41.0)})
    _run(tmp_path, "staging", "destroy", "20261103T100000", {"net": ("ok", 1.0)})
    assert previous_durations(str(tmp_path), "prod", "deploy") == {"net": 5.0, "db": 41.0}
    # once prod has a run of its own, only that counts
    _run(tmp_path, "prod", "deploy", "20261001T100000", {"net": ("ok", 6.0)})
    assert previous_durations(str(tmp_path), "prod", "deploy") == {"net": 6.0}


def test_a_no_op_run_does_not_hide_how_long_a_unit_takes_when_it_has_work(tmp_path):
    _run(tmp_path, "prod", "deploy", "20261101T100000", {"slow": ("ok", 10.0), "fast": ("ok", 1.0)}, changed=True)
    _run(tmp_path, "prod", "deploy", "20261102T100000", {"slow": ("ok", 0.4), "fast": ("ok", 0.3), "new": ("ok", 0.2)})
    assert previous_durations(str(tmp_path), "prod", "deploy") == {"slow": 10.0, "fast": 1.0, "new": 0.2}
    # a first run elsewhere reads the other environment the same way
    assert previous_durations(str(tmp_path), "dr", "deploy") == {"slow": 10.0, "fast": 1.0, "new": 0.2}
    # only the last `limit` runs count
    assert previous_durations(str(tmp_path), "prod", "deploy", limit=1) == {"slow": 0.4, "fast": 0.3, "new": 0.2}
