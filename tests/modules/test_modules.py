"""Checks for every module under terraform-modules/ (found by directory scan).

fmt, contract (python-hcl2), README tables in sync, terraform validate with the real AWS
provider, a checkov scan, and every example applied to the local moto endpoint and destroyed
(or planned, when its localtest.json says the endpoint cannot emulate the service). The slow
parts run once per session for all modules (validate in a thread pool, examples in one
combined root config) and each module then gets its own test result. See
terraform-modules/CONTRIBUTING.md.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import modtest  # noqa: E402
import tfdocs  # noqa: E402

ROOT = REPO / "terraform-modules"
# GROUNDWORK_MODULES="s3-bucket,sqs-queue" narrows every check to those modules (while writing one)
ONLY = [m for m in os.environ.get("GROUNDWORK_MODULES", "").split(",") if m]
MODULES = [m for m in (tfdocs.module_dirs(ROOT) if ROOT.is_dir() else []) if not ONLY or m.name in ONLY]
MODULE_NAMES = [m.name for m in MODULES]
REQUIRED_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
TIMINGS: dict = {}


def examples_or_errors():
    found, errors = [], []
    for module in MODULES:
        for path in tfdocs.example_dirs(module):
            try:
                found.append(modtest.Example(path))
            except tfdocs.DocsError as exc:
                errors.append(str(exc))
    return found, errors


EXAMPLES, EXAMPLE_ERRORS = examples_or_errors()


@pytest.fixture(scope="module")
def tf_work(tmp_path_factory, provider_mirror, terraform_bin):
    """Copied module tree + terraform env (mirror CLI config, shared plugin cache)."""
    work = tmp_path_factory.mktemp("modules")
    env = modtest.terraform_env(provider_mirror, work)
    modtest.warm_plugin_cache(terraform_bin, env, work)
    return {"dir": work, "env": env, "tree": modtest.copy_modules(work, ROOT)}


# ---------------------------------------------------------------- static checks

def test_modules_exist():
    assert MODULE_NAMES, "no modules found under terraform-modules/"


def test_fmt(terraform_bin):
    proc = subprocess.run([terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color", str(ROOT)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "terraform fmt -check failed (run `terraform fmt -recursive terraform-modules`):\n" \
        + proc.stdout[-4000:] + proc.stderr[-2000:]


def test_readmes_in_sync():
    stale = tfdocs.out_of_sync(ROOT)
    assert not stale, "README tables out of sync with the code; run `make modules-docs`: %s" % [
        str(p.relative_to(REPO)) for p in stale]


def test_tfdocs_cli_check_agrees():
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "tfdocs.py"), "--check", str(ROOT)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == (1 if tfdocs.out_of_sync(ROOT) else 0), proc.stderr


def test_example_settings_valid():
    assert not EXAMPLE_ERRORS, "\n".join(EXAMPLE_ERRORS)


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_contract(module):
    path = ROOT / module
    problems = ["missing %s" % f for f in REQUIRED_FILES if not (path / f).exists()]
    tf = tfdocs.load_tf(path)
    if tf.get("provider"):
        problems.append("provider blocks are not allowed in a module (units generate them)")
    for var in tfdocs.variables(tf):
        if not var["type"]:
            problems.append("variable %s has no type" % var["name"])
        elif re.search(r"\bany\b", var["type"]):
            problems.append("variable %s uses `any` in its type: %s" % (var["name"], var["type"]))
        if not var["description"]:
            problems.append("variable %s has no description" % var["name"])
    for out in tfdocs.outputs(tf):
        if not out["description"]:
            problems.append("output %s has no description" % out["name"])
    reqs = dict(tfdocs.requirements(tf))
    if not re.match(r"^>=\s*1\.([5-9]|\d\d)", reqs.get("terraform", "")):
        problems.append("versions.tf: required_version must be >= 1.5, got %r" % reqs.get("terraform"))
    aws = reqs.get("aws", "")
    if not (re.search(r">=\s*5(\.|\b)", aws) and re.search(r"<\s*7(\.0)*\b", aws)):
        problems.append("versions.tf: aws provider version must be '>= 5.0, < 7.0', got %r" % aws)
    examples = tfdocs.example_dirs(path)
    if not examples:
        problems.append("no examples/<name>/ with *.tf files (the local apply test uses them)")
    for example in examples:
        if tfdocs.load_tf(example).get("provider"):
            problems.append("%s: examples take the provider from the caller/test, no provider blocks"
                            % example.relative_to(ROOT))
    assert not problems, "%s:\n  %s" % (module, "\n  ".join(problems))


@pytest.fixture(scope="module")
def provider_schema(terraform_bin, tf_work, validations):
    """Resource schemas of the real AWS provider (from one already-initialised module copy)."""
    first = next((tf_work["tree"] / name for name, r in validations.items() if r["valid"]), None)
    if first is None:
        pytest.fail("no module validated, so no initialised dir to read the provider schema from")
    proc = modtest.run([terraform_bin, "providers", "schema", "-json"], first, tf_work["env"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    schemas = json.loads(proc.stdout)["provider_schemas"]
    aws = next(v for k, v in schemas.items() if k.endswith("hashicorp/aws"))
    return aws["resource_schemas"]


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_tags_passed_through(module, provider_schema):
    """Every taggable resource sets tags, and the module takes a tags input."""
    tf = tfdocs.load_tf(ROOT / module)
    missing, taggable = [], 0
    for block in tf.get("resource", []):
        for rtype, instances in block.items():
            rtype = tfdocs.unquote(rtype)
            attrs = (provider_schema.get(rtype) or {}).get("block", {}).get("attributes", {})
            if "tags" not in attrs:
                continue
            for rname, body in instances.items():
                taggable += 1
                if "tags" not in (body or {}):
                    missing.append("%s.%s" % (rtype, tfdocs.unquote(rname)))
    names = {v["name"] for v in tfdocs.variables(tf)}
    problems = ["taggable resource without tags: %s" % m for m in missing]
    if taggable and "tags" not in names:
        problems.append("module has taggable resources but no `tags` variable")
    assert not problems, "%s:\n  %s" % (module, "\n  ".join(problems))


# ---------------------------------------------------------------- terraform validate

def timed(name, func, *args, **kwargs):
    started = time.monotonic()
    try:
        return func(*args, **kwargs)
    finally:
        TIMINGS[name] = time.monotonic() - started


@pytest.fixture(scope="module")
def jobs(terraform_bin, tf_work, local_aws, checkov_proc):
    """Start the slow work at once, concurrently: most of its time is waiting (AWS waiters
    against moto, provider start-up), so overlapping validate, checkov and the example runs
    roughly halves the wall time on 2 cores."""
    pool = ThreadPoolExecutor(max_workers=3)
    modules = [tf_work["tree"] / name for name in MODULE_NAMES]
    futures = {"validate": pool.submit(timed, "validate", modtest.validate_all, terraform_bin, modules,
                                       tf_work["env"], workers=2)}
    for mode in ("apply", "plan"):
        chosen = [e for e in EXAMPLES if e.mode == mode]
        futures[mode] = pool.submit(timed, "examples-" + mode, modtest.run_examples, terraform_bin, chosen,
                                    tf_work["dir"] / ("examples-" + mode), tf_work["env"], local_aws, mode,
                                    log=lambda m: print("\n" + m))
    yield futures
    pool.shutdown(wait=True)
    print("\nmodule test timings (s): " + ", ".join("%s=%.0f" % kv for kv in sorted(TIMINGS.items())))


@pytest.fixture(scope="module")
def validations(jobs):
    return jobs["validate"].result()


@pytest.mark.terraform
@pytest.mark.aws_provider
@pytest.mark.parametrize("module", MODULE_NAMES)
def test_validate(module, validations):
    result = validations[module]
    assert result["valid"], "terraform validate %s:\n%s" % (module, "\n".join(result["errors"]))


# ---------------------------------------------------------------- checkov

@pytest.fixture(scope="module")
def checkov_proc(tmp_path_factory):
    """checkov scanning a copy of the tree, started in the background; yields (proc, started)."""
    if not CHECKOV.exists():
        # make setup depends on setup-checkov; a bare `pytest` run installs it here once
        subprocess.run(["make", "-C", str(REPO), "setup-checkov"], capture_output=True, text=True, timeout=900)
    if not CHECKOV.exists():
        # reported by checkov_report; the terraform jobs that start alongside must not fail with it
        yield None
        return
    work = tmp_path_factory.mktemp("checkov")
    tree = modtest.copy_modules(work, ROOT)
    out = open(work / "report.json", "w+")
    proc = subprocess.Popen(
        [str(CHECKOV), "-d", str(tree), "--framework", "terraform", "-o", "json", "--quiet", "--compact",
         "--download-external-modules", "false", "--skip-path", r"\.terraform"],
        stdout=out, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL="WARNING"))
    yield proc, time.monotonic(), out
    if proc.poll() is None:
        proc.kill()
    out.close()


@pytest.fixture(scope="module")
def checkov_report(checkov_proc):
    if checkov_proc is None:
        pytest.fail("checkov is not installed in .venv-checkov and `make setup-checkov` could not install it")
    proc, started, out = checkov_proc
    try:
        _, stderr = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("checkov did not finish within 15 minutes")
    TIMINGS["checkov"] = time.monotonic() - started
    assert proc.returncode in (0, 1), "checkov crashed (rc=%d):\n%s" % (proc.returncode, stderr[-3000:])
    out.seek(0)
    text = out.read().strip()
    data = json.loads(text) if text.startswith(("[", "{")) else {}
    reports = data if isinstance(data, list) else [data]
    failed, skipped = {}, {}
    for report in reports:
        results = report.get("results") or {}
        for kind, bucket in (("failed_checks", failed), ("skipped_checks", skipped)):
            for check in results.get(kind, []) or []:
                module = check.get("file_path", "").lstrip("/").split("/")[0]
                bucket.setdefault(module, []).append(check)
    return {"failed": failed, "skipped": skipped, "summary": [r.get("summary") for r in reports]}


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULE_NAMES)
def test_checkov(module, checkov_report):
    failed = checkov_report["failed"].get(module, [])
    lines = ["%s %s %s (%s:%s)" % (c.get("check_id"), c.get("resource"), c.get("check_name"), c.get("file_path"),
                                     (c.get("file_line_range") or ["?"])[0]) for c in failed]
    assert not failed, "checkov failed checks in %s (fix, or suppress inline with " \
        "`#checkov:skip=CKV_...:reason` and run make modules-docs):\n  %s" % (module, "\n  ".join(lines))


def test_checkov_suppressions_justified():
    bare = [row for row in tfdocs.checkov_skips(ROOT) if len(row[3]) < 10]
    assert not bare, "checkov suppressions need a written justification: %s" % bare


# ---------------------------------------------------------------- examples on the local endpoint

@pytest.fixture(scope="module")
def example_results(jobs):
    # the generated provider config carries the test keys; run_examples passes the endpoint as AWS_ENDPOINT_URL
    results = {}
    for mode in ("apply", "plan"):
        results.update(jobs[mode].result())
    return results


@pytest.mark.slow
@pytest.mark.terraform
@pytest.mark.aws_provider
@pytest.mark.parametrize("example", [e.id for e in EXAMPLES])
def test_example_on_local_endpoint(example, example_results):
    result = example_results[example]
    assert result["ok"], "%s (%s, %d resources):\n  %s" % (
        example, result["phase"], result["resources"], "\n  ".join(e[:2000] for e in result["errors"]))
