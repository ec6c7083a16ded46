"""Gate: `ansible-test sanity`, every test that applies to a collection, with no ignore files.

One ansible-test run (session fixture) on a copy of what the collection ships, laid out as
<tmp>/ansible_collections/groundwork/terraform as ansible-test requires; each sanity test is then
its own pytest test, so the summary names exactly which sanity test failed and why.

ansible-test runs from the pinned .venv (Python 3.11, the controller), with no --docker/--venv:
the default "origin" controller is the running interpreter, as --local would be. The copy
needs no `git init`: outside git, ansible-test checks every file in the tree. Its multi-version tests
(compile, import) also run on every other Python that ansible-core 2.19 supports for modules
(3.8-3.13) that is installed on this machine: module code runs on managed hosts, where
Python 3.8 is still supported. A version that is not installed is reported as skipped.

ansible-test builds one virtualenv per sanity test under ~/.ansible/test/venv from pinned PyPI
requirements (cached: the first run on a machine takes about a minute more). It bootstraps pip
there with a get-pip.py fetched from its own file host, which is unreachable here, so the fixture
first puts get_pip_standin.py into ansible-test's documented cache location.
"""
from __future__ import annotations

import fcntl
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gate_tools import REPO, VENV_BIN, copy_collection, describe, run_tool, tool_env

ANSIBLE_TEST_ROOT = Path(importlib.util.find_spec("ansible_test").origin).parent
CONTROLLER_PYTHON = "3.11"
# ansible-core 2.19 runs modules on Python 3.8-3.13 (ansible_test/_util/target/common/constants.py).
PYTHON_VERSIONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
MULTI_VERSION_TESTS = ("compile", "import")
# Every sanity test ansible-test 2.19 has for collections (`ansible-test sanity --list-tests`);
# test_sanity_test_list_is_current fails when an ansible-core upgrade changes the list.
SINGLE_RUN_TESTS = (
    "action-plugin-docs", "ansible-doc", "changelog", "empty-init", "ignores", "line-endings",
    "no-assert", "no-get-exception", "no-illegal-filenames", "no-smart-quotes", "pep8", "pslint",
    "pylint", "replace-urlopen", "runtime-metadata", "shebang", "shellcheck", "symlinks",
    "use-argspec-type-path", "use-compat-six", "validate-modules", "yamllint",
)
# Tests needing a tool that is not Python: ansible-test reports them as "No tests applicable"
# when the tool is missing, so the gate checks itself whether files for them exist.
EXTERNAL_TOOL_TESTS = {"shellcheck": ("shellcheck", (".sh",)), "pslint": ("pwsh", (".ps1", ".psm1"))}
STANDIN_MARKER = "groundwork-get-pip-standin"
SANITY_TIMEOUT = 900

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ansible_test_sanity")]


def expected_case_names():
    names = ["%s-python-%s" % (test, version) for test in MULTI_VERSION_TESTS for version in PYTHON_VERSIONS]
    return sorted(names + list(SINGLE_RUN_TESTS))


def real_interpreter(version):
    """Absolute path of a working pythonX.Y (not a pyenv shim), or None."""
    candidates = [shutil.which("python" + version)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python%s" % (version, version))))
    candidates += ["/usr/bin/python" + version, "/usr/local/bin/python" + version]
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run([candidate, "-c", "import sys, venv, ensurepip; print(sys.executable)"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 timeout=30, check=False)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip():
            return os.path.realpath(out.stdout.strip())
    return None


def install_get_pip_standin():
    """Put the stand-in where ansible-test looks for its cached get-pip script (never over a real one)."""
    source = (ANSIBLE_TEST_ROOT / "_internal" / "python_requirements.py").read_text(encoding="utf-8")
    match = re.search(r"pip='([0-9.]+)'", source)
    assert match, "cannot find the pip version ansible-test bootstraps in %s" % ANSIBLE_TEST_ROOT
    cache = Path(os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % match.group(1).replace(".", "_")))
    standin = (Path(__file__).parent / "get_pip_standin.py").read_text(encoding="utf-8")
    if cache.exists():
        current = cache.read_text(encoding="utf-8", errors="replace")
        if STANDIN_MARKER not in current or current == standin:
            return cache  # the real get-pip.py, or our stand-in already up to date
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(standin, encoding="utf-8")
    return cache


def parse_junit(junit_dir):
    """{testcase name: (outcome, text)} from ansible-test's --junit files."""
    results = {}
    for path in sorted(Path(junit_dir).glob("*.xml")):
        for case in ET.parse(str(path)).getroot().iter("testcase"):
            name = case.get("name")
            # A single-run test's name carries the controller version only when it was skipped.
            base = name.rsplit("-python-", 1)[0]
            if base in SINGLE_RUN_TESTS:
                name = base
            failure = case.find("failure")
            error = case.find("error")
            skipped = case.find("skipped")
            if failure is not None or error is not None:
                node = failure if failure is not None else error
                results[name] = ("failed", "%s\n%s" % (node.get("message", ""), node.text or ""))
            elif skipped is not None:
                results[name] = ("skipped", (skipped.text or skipped.get("message") or "").strip())
            else:
                results[name] = ("passed", "")
    return results


def run_sanity(workdir):
    """Run ansible-test sanity on a fresh copy in workdir; return a JSON-able summary."""
    collection = copy_collection(workdir / "ansible_collections" / "groundwork" / "terraform")
    install_get_pip_standin()

    # Other Pythons go after the venv (whose python3 must stay first) but before pyenv's shims.
    extra_dirs = []
    interpreters = {}
    for version in PYTHON_VERSIONS:
        if version == CONTROLLER_PYTHON:
            continue
        interpreter = real_interpreter(version)
        interpreters[version] = interpreter
        if interpreter and os.path.dirname(interpreter) not in extra_dirs:
            extra_dirs.append(os.path.dirname(interpreter))
    env = tool_env()
    env["PATH"] = os.pathsep.join([str(VENV_BIN)] + extra_dirs + [env["PATH"]])

    proc, seconds = run_tool([VENV_BIN / "ansible-test", "sanity", "--junit", "--color", "no", "-v"],
                             cwd=collection, env=env, timeout=SANITY_TIMEOUT)
    log = workdir / "ansible-test-sanity.log"
    log.write_text(describe(proc, seconds), encoding="utf-8")
    return {"args": [str(a) for a in proc.args], "returncode": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr, "seconds": round(seconds, 1), "interpreters": interpreters,
            "results": parse_junit(collection / "tests" / "output" / "junit"),
            "collection": str(collection), "log": str(log)}


@pytest.fixture(scope="session")
def sanity_run(tmp_path_factory):
    # Under pytest-xdist every worker has this fixture; the first one runs ansible-test and
    # the others wait for and read its summary instead of running it again.
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    summary_file = base / "ansible-test-sanity.json"
    with open(str(base / "ansible-test-sanity.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if summary_file.exists():
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        else:
            workdir = base / "sanity"
            workdir.mkdir()
            summary = run_sanity(workdir)
            summary_file.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    summary["proc"] = subprocess.CompletedProcess(summary["args"], summary["returncode"],
                                                  summary["stdout"], summary["stderr"])
    summary["collection"] = Path(summary["collection"])
    return summary


def test_no_sanity_ignore_files():
    # Problems get fixed, not ignored: an ignore file would hide new findings as well.
    ignores = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "sanity").glob("ignore-*.txt"))
    assert not ignores, "sanity ignore files are not allowed here; fix the findings instead: %s" % ignores


def test_sanity_test_list_is_current(tmp_path):
    # --list-tests only needs a directory ansible-test recognises as a collection root.
    root = tmp_path / "ansible_collections" / "groundwork" / "terraform"
    root.mkdir(parents=True)
    shutil.copy2(REPO / "galaxy.yml", root / "galaxy.yml")
    proc, seconds = run_tool([VENV_BIN / "ansible-test", "sanity", "--list-tests"], cwd=root, env=tool_env())
    assert proc.returncode == 0, describe(proc, seconds)
    listed = sorted(proc.stdout.split())
    assert listed == sorted(MULTI_VERSION_TESTS + SINGLE_RUN_TESTS), (
        "ansible-test's sanity tests changed (ansible-core upgrade?): update SINGLE_RUN_TESTS / "
        "MULTI_VERSION_TESTS in %s. Listed: %s" % (__file__, listed))


def test_ansible_test_sanity_completed(sanity_run):
    """ansible-test ran every test and wrote a result for each (a crash would leave gaps)."""
    missing = sorted(set(expected_case_names()) - set(sanity_run["results"]))
    assert not missing, "no result for %s:\n%s" % (missing, describe(sanity_run["proc"], sanity_run["seconds"]))
    failed = sorted(name for name, (outcome, _) in sanity_run["results"].items() if outcome == "failed")
    # Exit status and per-test results must agree.
    assert (sanity_run["proc"].returncode == 0) == (not failed), describe(sanity_run["proc"], sanity_run["seconds"])


@pytest.mark.parametrize("case", expected_case_names())
def test_sanity(sanity_run, case):
    outcome, text = sanity_run["results"].get(case, ("missing", ""))
    if outcome == "missing":
        pytest.fail("ansible-test wrote no result for %s; full output in %s" % (case, sanity_run["log"]))
    if outcome == "failed":
        pytest.fail("ansible-test sanity %s failed (full output: %s):\n%s" % (case, sanity_run["log"], text),
                    pytrace=False)
    if outcome == "skipped":
        name = case.split("-python-")[0]
        if name in EXTERNAL_TOOL_TESTS:
            tool, suffixes = EXTERNAL_TOOL_TESTS[name]
            files = [p for p in sanity_run["collection"].rglob("*") if p.suffix in suffixes]
            if files and not shutil.which(tool):
                pytest.fail("%s needs `%s`, which is not installed, to check %s" % (name, tool, files))
        if text == "No tests applicable.":
            pytest.skip("the collection has no files this sanity test applies to (yet)")
        if "could not be found" in text:
            # Only the non-controller Pythons can be absent: the controller runs ansible-test itself.
            pytest.skip("%s (install that Python to run it)" % text)
        pytest.fail("ansible-test skipped %s: %s" % (case, text))
