"""Fault-injection suite of issue 7: shared fixtures, and the results document written from the run.

Every test here claims the scenario(s) it demonstrates with ``@pytest.mark.scenario(...)``
(catalogue: scenarios.py) and may record what it saw with ``record_property("observed", ...)``
(``"observed:<ID>"`` for a note about one of its scenarios only).
At the end of a session that ran this directory, the outcome of every scenario - from these
tests and from the tests of other suites the catalogue names - is written as markdown to
tests/output/reliability/RELIABILITY.md, and to $GROUNDWORK_RELIABILITY_DOC when set
(``make reliability`` sets it to docs/RELIABILITY.md).
"""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import reliability_kit as kit  # noqa: E402  (this directory, put on sys.path above)
from scenarios import SCENARIOS  # noqa: E402

REPO = HERE.parents[1]
DEFAULT_REPORT = REPO / "tests" / "output" / "reliability" / "RELIABILITY.md"
_CLAIMS = pytest.StashKey()  # scenario id -> node ids of the tests here that claim it


def pytest_configure(config):
    config.addinivalue_line("markers", "scenario(*ids): issue-7 scenarios a reliability test demonstrates "
                                       "(tests/reliability/scenarios.py)")


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def aws(local_aws):
    return kit.Aws(local_aws)


@pytest.fixture(scope="session")
def plugin_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("plugin-cache")


@pytest.fixture(scope="session")
def process_watcher():
    """Every process's argv, sampled all session long, for the secrets and for -backend-config."""
    watcher = kit.ProcessWatcher([kit.SECRET, kit.AWS_SECRET, "-backend-config"])
    yield watcher
    watcher.stop()


@pytest.fixture(autouse=True)
def secrets_stay_out_of_the_process_list(process_watcher):
    seen = len(process_watcher.hits)
    yield
    assert process_watcher.hits[seen:] == [], "a secret or -backend-config reached a command line"


@pytest.fixture
def reliability_env(monkeypatch, local_aws):
    """The AWS environment of this suite (its own secret key) for in-process unit runs."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in kit.AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_aws)
    return dict(kit.AWS_ENV, AWS_ENDPOINT_URL=local_aws)


@pytest.fixture
def unit(tmp_path, plugin_cache, reliability_env, terraform_bin):
    """unit(**options) -> result: one UnitRunner run (the unit module's logic) with the suite's secret."""
    def run(**options):
        return kit.run_unit(tmp_path / "work", plugin_cache, **options)
    run.work_root = tmp_path / "work"
    return run


# ----------------------------------------------------------------------------- the results document

def _outcome(reports):
    """passed / failed / skipped for one test from its setup/call/teardown reports."""
    outcomes = {report.when: report.outcome for report in reports}
    if "failed" in outcomes.values():
        return "failed"
    if outcomes.get("call") == "passed":
        return "passed"
    return "skipped" if "skipped" in outcomes.values() else "not run"


def _collect(session):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    by_node = {}
    for reports in (reporter.stats.values() if reporter else []):
        for report in reports:
            if getattr(report, "when", None) in ("setup", "call", "teardown") and hasattr(report, "nodeid"):
                by_node.setdefault(report.nodeid, []).append(report)
    return by_node


def pytest_collection_modifyitems(session, config, items):
    claims = config.stash.setdefault(_CLAIMS, {})
    for item in items:
        for mark in item.iter_markers("scenario"):
            for scenario_id in mark.args:
                claims.setdefault(scenario_id, []).append(item.nodeid)



def _matches(node, pattern):
    return node == pattern or ("[" not in pattern and node.startswith(pattern + "["))


def _tool_versions():
    versions = {"python": platform.python_version(), "os": "%s %s" % (platform.system(), platform.machine())}
    try:
        import moto
        versions["moto"] = moto.__version__
    except ImportError:
        pass
    try:
        from ansible.release import __version__ as ansible_version
        versions["ansible-core"] = ansible_version
    except ImportError:
        pass
    try:
        out = subprocess.run(["terraform", "version"], capture_output=True, text=True, timeout=30).stdout
        versions["terraform"] = out.split("\n", 1)[0].replace("Terraform ", "")
    except (OSError, subprocess.SubprocessError):
        pass
    return versions


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def render(session):
    by_node = _collect(session)
    claims = session.config.stash.get(_CLAIMS, {})
    rows, totals = [], {"passed": 0, "failed": 0, "skipped": 0, "not run": 0}
    for scenario in SCENARIOS:
        own = claims.get(scenario.id, [])
        others = sorted({node for node in by_node for pattern in scenario.also if _matches(node, pattern)})
        nodes = own + [node for node in others if node not in own]
        outcomes = [_outcome(by_node[node]) for node in nodes if node in by_node]
        if not outcomes:
            outcome = "not run"
        elif "failed" in outcomes:
            outcome = "failed"
        elif all(o == "passed" for o in outcomes):
            outcome = "passed"
        else:
            outcome = "skipped"
        totals[outcome] += 1
        observed = []
        seconds = 0.0
        for node in nodes:
            for report in by_node.get(node, []):
                seconds += report.duration
                observed += [value for name, value in report.user_properties
                             if name in ("observed", "observed:" + scenario.id) and value not in observed]
        tests = "<br>".join("`%s`" % node.split("::", 1)[-1] if node in own else "`%s`" % node for node in nodes) \
            or "-"
        rows.append("| %s | %s | %s | %s | **%s** (%.0fs) | %s | %s |" % (
            scenario.id, _cell(scenario.area), _cell(scenario.title), _cell(scenario.expected), outcome, seconds,
            _cell("; ".join(observed)) or "-", tests))
    versions = _tool_versions()
    table = "\n".join(["| ID | Area | Scenario | Expected | Outcome | Observed in this run | Tests |",
                       "|---|---|---|---|---|---|---|"] + rows)
    run = ("Generated by tests/reliability/conftest.py from the test run of %s (%s). %d scenarios: %d passed, "
           "%d failed, %d skipped, %d not run. Tests named by path live in other suites, the others in "
           "tests/reliability/." % (
               datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               ", ".join("%s %s" % item for item in sorted(versions.items())), len(SCENARIOS), totals["passed"],
               totals["failed"], totals["skipped"], totals["not run"]))
    template = (HERE / "RELIABILITY.md.in").read_text()
    return template.replace("{{RUN}}", run).replace("{{RESULTS}}", table)


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # an xdist worker sees only its share of the run
        return
    if not any(HERE in Path(str(item.path)).parents for item in session.items):
        return
    text = render(session)
    targets = [DEFAULT_REPORT]
    if os.environ.get("GROUNDWORK_RELIABILITY_DOC"):
        targets.append(Path(os.environ["GROUNDWORK_RELIABILITY_DOC"]))
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
