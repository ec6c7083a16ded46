#!/usr/bin/env python3
"""Test harness for terraform-modules/: validate modules, apply/plan their examples locally.

Used by tests/modules/test_modules.py and runnable by hand while writing a module:

    .venv/bin/python tools/modtest.py validate network s3-bucket
    .venv/bin/python tools/modtest.py examples s3-bucket          # starts moto if no --endpoint
    .venv/bin/python tools/modtest.py examples --endpoint http://127.0.0.1:4566 sqs-queue

Speed matters: the AWS provider takes ~5 s of CPU to start and terraform starts it 3-4 times
per command, so all examples are applied in ONE generated root configuration (one module call
per example), then destroyed in one go. Errors are attributed to examples by the resource
address or file name in terraform's JSON diagnostics; an example that breaks the shared plan
is set aside and the rest retried. Providers come from a filesystem mirror (test tooling only)
through a generated CLI config, with one shared TF_PLUGIN_CACHE_DIR (init then symlinks).
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import threading
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfdocs  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODULES_ROOT = REPO / "terraform-modules"

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "groundwork-tf-plugin-cache"


class HarnessError(Exception):
    """The harness itself cannot run (no terraform, no mirror...)."""


# ---------------------------------------------------------------- environment

def terraform_env(mirror: str, workdir: Path, cache_dir: Path = DEFAULT_CACHE) -> dict:
    """Environment for terraform: CLI config pinning hashicorp/* to the mirror, shared cache."""
    workdir.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    config = workdir / "terraformrc"
    config.write_text(
        'provider_installation {\n'
        '  filesystem_mirror {\n    path    = %s\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' % json.dumps(str(mirror)))
    env = dict(os.environ)
    env.update({
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_PLUGIN_CACHE_DIR": str(cache_dir),
        # Without a lock file, terraform >= 1.4 reinstalls every provider into the cache on each
        # init instead of using the entry (and parallel inits race on it: "mkdir ... file exists").
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "true",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    })
    for key in list(env):
        if key.startswith("TF_VAR_") or key in ("TF_LOG", "TF_CLI_ARGS", "TF_DATA_DIR", "TF_WORKSPACE"):
            env.pop(key)
    return env


# Most of the time goes to waiters (SQS attribute propagation, S3 lifecycle), not CPU.
PARALLELISM = "-parallelism=30"
# A combined run is stopped when no resource finishes for this long (a waiter that never
# converges on the emulator); the examples owning the in-flight resources fail.
STALL_SECONDS = int(os.environ.get("GROUNDWORK_TF_STALL", "240"))
COMMAND_TIMEOUT = int(os.environ.get("GROUNDWORK_TF_TIMEOUT", "900"))


@contextlib.contextmanager
def plugin_cache_lock(env: dict):
    """terraform's plugin cache is not safe for concurrent inits (its docs say so): one at a
    time per cache dir, across threads and processes (flock on a file in the cache)."""
    cache = env.get("TF_PLUGIN_CACHE_DIR")
    if not cache:
        yield
        return
    Path(cache).mkdir(parents=True, exist_ok=True)
    with open(Path(cache) / ".modtest-init.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init(terraform: str, root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """terraform init, serialised on the shared plugin cache."""
    with plugin_cache_lock(env):
        return run([terraform, "init", "-input=false", "-no-color", *args], root, env)


def warm_plugin_cache(terraform: str, env: dict, workdir: Path) -> None:
    """One init before any parallel ones, so that they only link the cached provider."""
    root = workdir / "warm-cache"
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n')
    result = init(terraform, root, env, "-backend=false")
    if result.returncode != 0:
        raise HarnessError("terraform init with the provider mirror failed:\n" + result.stderr[-3000:])


def run(argv: list, cwd: Path, env: dict, timeout: int | None = None) -> subprocess.CompletedProcess:
    """Run terraform; a hung command (e.g. a waiter that never converges on moto) becomes rc 124."""
    try:
        return subprocess.run(argv, cwd=str(cwd), env=env, capture_output=True, text=True,
                              timeout=timeout or COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return subprocess.CompletedProcess(argv, 124, out, err + "\ntimed out after %ss: %s" % (exc.timeout, " ".join(argv)))


def copy_modules(dest: Path, root: Path = MODULES_ROOT) -> Path:
    """Copy the modules tree (small) so inits and states never land in the checkout."""
    target = dest / "terraform-modules"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(
        ".terraform", ".terraform.lock.hcl", "*.tfstate*", "terraform.tfvars"))
    return target


# ---------------------------------------------------------------- validate

def validate_module(terraform: str, module: Path, env: dict) -> dict:
    """init -backend=false + validate -json in a (copied) module dir."""
    started = time.monotonic()
    init_result = init(terraform, module, env, "-backend=false")
    if init_result.returncode != 0:
        return {"module": module.name, "valid": False, "seconds": time.monotonic() - started,
                "errors": ["init failed: " + (init_result.stderr or init_result.stdout)[-3000:]]}
    result = run([terraform, "validate", "-json", "-no-color"], module, env)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {"valid": False, "diagnostics": [{"severity": "error", "summary": result.stderr[-3000:]}]}
    errors = [format_diag(d) for d in report.get("diagnostics", []) if d.get("severity") == "error"]
    warnings = [format_diag(d) for d in report.get("diagnostics", []) if d.get("severity") == "warning"]
    return {"module": module.name, "valid": bool(report.get("valid")) and not errors,
            "errors": errors, "warnings": warnings, "seconds": time.monotonic() - started}


def validate_all(terraform: str, modules: list, env: dict, workers: int = 2) -> dict:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {r["module"]: r for r in pool.map(lambda m: validate_module(terraform, m, env), modules)}


def format_diag(diag: dict) -> str:
    where = diag.get("address") or ""
    rng = diag.get("range") or {}
    if rng.get("filename"):
        where = "%s %s:%s" % (where, rng["filename"], (rng.get("start") or {}).get("line", "?"))
    text = diag.get("summary", "") + (": " + diag["detail"] if diag.get("detail") else "")
    return ("[%s] %s" % (where.strip(), text) if where.strip() else text).strip()


# ---------------------------------------------------------------- examples

class Example:
    """One example directory of one module, with its localtest.json settings."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.module = self.path.parent.parent.name
        self.name = self.path.name
        self.id = "%s/%s" % (self.module, self.name)
        self.key = "ex_%s__%s" % (re.sub(r"\W", "_", self.module), re.sub(r"\W", "_", self.name))
        self.settings = tfdocs.example_settings(self.path)
        self.mode = self.settings["mode"]
        tf = tfdocs.load_tf(self.path)
        self.variables = {v["name"]: v for v in tfdocs.variables(tf)}
        self.has_provider_block = bool(tf.get("provider"))

    def unique_name(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "", self.module.lower())[:10]
        return "gwt-%s-%s" % (stem, uuid.uuid4().hex[:4])


def discover_examples(root: Path = MODULES_ROOT, modules: list | None = None) -> list:
    out = []
    for module in tfdocs.module_dirs(root):
        if modules and module.name not in modules:
            continue
        out += [Example(path) for path in tfdocs.example_dirs(module)]
    return out


def provider_config(aliases: list) -> dict:
    """Provider blocks (JSON syntax) for the local endpoint, which reaches every service as
    AWS_ENDPOINT_URL (run_examples sets it). No ``endpoints`` block: with one, each of the 3-4
    provider starts of a command spends seconds validating and configuring it
    (bench/provider_endpoints.py)."""
    def block(alias=None):
        body = {
            "region": "us-east-1", "access_key": "test", "secret_key": "test",
            "skip_credentials_validation": True, "skip_requesting_account_id": True,
            "skip_metadata_api_check": True, "s3_use_path_style": True,
        }
        if alias:
            body["alias"] = alias
        return body
    return {"provider": {"aws": [block()] + [block(a) for a in sorted(set(aliases))]}}


def write_root(root: Path, tree: Path, examples: list) -> dict:
    """One root config calling every example as a module, plus the local provider config.

    Returns {unique name passed to an example: example}.
    """
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    modules, aliases, names = {}, [], {}
    for example in examples:
        source = os.path.relpath(tree / example.module / "examples" / example.name, root)
        call = {"source": source}
        if "name" in example.variables:
            call["name"] = example.unique_name()
            names[call["name"]] = example
        call.update(example.settings["vars"])
        if example.settings["provider_aliases"]:
            call["providers"] = dict({"aws": "aws"}, **{
                "aws.%s" % a: "aws.%s" % a for a in example.settings["provider_aliases"]})
            aliases += example.settings["provider_aliases"]
        modules[example.key] = call
    (root / "main.tf.json").write_text(json.dumps({"module": modules}, indent=2))
    (root / "providers.tf.json").write_text(json.dumps(
        provider_config(aliases), indent=2))
    return names


def json_lines(text: str) -> list:
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def attribute(diag: dict, examples: list) -> list:
    """Which examples a diagnostic belongs to ([] = cannot tell: it concerns the whole run)."""
    address = diag.get("address") or ""
    match = re.match(r"module\.(ex_[A-Za-z0-9_]+)", address)
    if match:
        return [e for e in examples if e.key == match.group(1)]
    filename = (diag.get("range") or {}).get("filename") or ""
    match = re.search(r"terraform-modules/([^/]+)/(?:examples/([^/]+)/)?", filename)
    if match:
        return [e for e in examples if e.module == match.group(1)
                and (match.group(2) is None or e.name == match.group(2))]
    snippet = (diag.get("snippet") or {}).get("context") or ""
    match = re.search(r"module\.(ex_[A-Za-z0-9_]+)", snippet + " " + diag.get("detail", ""))
    if match:
        return [e for e in examples if e.key == match.group(1)]
    return []


def example_key(address: str) -> str | None:
    match = re.match(r"module\.(ex_[A-Za-z0-9_]+)", address or "")
    return match.group(1) if match else None


def stream_terraform(argv: list, root: Path, env: dict, log_path: Path, stall_seconds: int,
                     timeout: int) -> tuple:
    """Run terraform -json, reading its messages as they come.

    A waiter that never converges on the emulator would hold the whole combined run, so when
    nothing completes for stall_seconds (or the command passes timeout) terraform gets SIGINT:
    it stops gracefully and writes the state of what it did create, so destroy can clean up.
    Returns (rc, messages, stderr, stalled) with stalled None or (reason, number of messages
    read when terraform was interrupted).
    """
    proc = subprocess.Popen(argv, cwd=str(root), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    messages, lock = [], threading.Lock()
    last_progress = [time.monotonic()]
    in_flight = set()
    stderr_chunks = []

    def read_stdout():
        with open(log_path, "w") as log:
            for line in proc.stdout:
                log.write(line)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                kind = msg.get("type")
                addr = ((msg.get("hook") or {}).get("resource") or {}).get("addr")
                with lock:
                    messages.append(msg)
                    if kind == "apply_start":
                        in_flight.add(addr)
                    elif kind in ("apply_complete", "apply_errored"):
                        in_flight.discard(addr)
                    if kind in ("apply_start", "apply_complete", "apply_errored", "planned_change", "diagnostic"):
                        last_progress[0] = time.monotonic()

    reader = threading.Thread(target=read_stdout, daemon=True)
    err_reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    err_reader.start()
    started, stalled = time.monotonic(), None
    while proc.poll() is None:
        time.sleep(1)
        now = time.monotonic()
        with lock:
            # a stall is resources waiting with none finishing; planning (provider start-up
            # on a loaded machine) is bounded by the overall timeout only
            idle = now - last_progress[0] if in_flight else 0.0
        if stalled is None and (idle > stall_seconds or now - started > timeout):
            with lock:
                seen = len(messages)
            stalled = (("no resource finished for %ds" % idle) if idle > stall_seconds else ("over %ds" % timeout), seen)
            proc.send_signal(signal.SIGINT)
            interrupted = now
        if stalled is not None and now - interrupted > 60 and proc.poll() is None:
            proc.kill()
    reader.join(timeout=30)
    err_reader.join(timeout=30)
    return proc.returncode, messages, "".join(stderr_chunks), stalled


def tf_json_run(terraform: str, argv: list, root: Path, env: dict, examples: list,
                names: dict | None = None) -> dict:
    """Run a -json terraform command; errors per example key, whole-run errors, progress facts.

    names: {unique name given to the example: example} to attribute diagnostics that carry no
    resource address (e.g. some destroy errors) by the name they mention.
    """
    started = time.monotonic()
    rc, messages, stderr, stalled = stream_terraform(
        [terraform] + argv, root, env, root / ("%s.jsonl" % argv[0]), STALL_SECONDS, COMMAND_TIMEOUT)
    outcome = summarize(argv[0], rc, messages, stderr, stalled, examples, names)
    outcome["seconds"] = time.monotonic() - started
    return outcome


def summarize(command: str, rc: int, messages: list, stderr: str, stalled, examples: list,
              names: dict | None = None) -> dict:
    """terraform -json messages -> errors per example key, whole-run errors, planned actions,
    slowest resources. Pure: unit-tested on recorded runs."""
    per, general, planned, slow = {}, [], {}, []
    in_flight, in_flight_at_stop = {}, {}
    by_key = {e.key: e for e in examples}
    for index, msg in enumerate(messages):
        if stalled and index == stalled[1]:
            in_flight_at_stop = dict(in_flight)
        kind = msg.get("type")
        hook = msg.get("hook") or {}
        addr = (hook.get("resource") or {}).get("addr", "")
        if kind == "diagnostic" and (msg.get("diagnostic") or {}).get("severity") == "error":
            diag = msg["diagnostic"]
            if stalled and diag.get("summary") == "execution halted":
                continue  # the echo of our own interrupt
            owners = attribute(diag, examples)
            if not owners and names:
                text = " ".join([diag.get("summary", ""), diag.get("detail", "")])
                owners = [e for n, e in names.items() if n in text]
            for owner in owners:
                per.setdefault(owner.key, []).append(format_diag(diag))
            if not owners:
                general.append(format_diag(diag))
        elif kind == "planned_change":
            change = msg.get("change") or {}
            key = example_key((change.get("resource") or {}).get("addr", ""))
            if key and change.get("action") != "read":
                planned.setdefault(key, []).append(change.get("action"))
        elif hook.get("action") == "read":
            continue  # data source reads during planning report apply_* hooks too
        elif kind == "apply_start":
            in_flight[addr] = True
        elif kind in ("apply_complete", "apply_errored"):
            in_flight.pop(addr, None)
            if kind == "apply_complete":
                slow.append((hook.get("elapsed_seconds", 0), addr))
    if stalled:
        if stalled[1] >= len(messages):
            in_flight_at_stop = dict(in_flight)
        for addr in in_flight_at_stop:
            key = example_key(addr)
            if key in by_key:
                per.setdefault(key, []).append("terraform %s stopped (%s) while still waiting on %s" % (command, stalled[0], addr))
        if not in_flight_at_stop:
            general.append("terraform %s stopped: %s" % (command, stalled[0]))
    if rc != 0 and not per and not general:
        general.append("terraform %s exited %d: %s" % (command, rc, stderr[-3000:]))
    return {"rc": rc, "errors": per, "general": general, "planned": planned, "stalled": stalled and stalled[0],
            "started_applying": bool(slow or in_flight or in_flight_at_stop),
            "slowest": sorted(slow, reverse=True)[:5]}


def state_resources(terraform: str, root: Path, env: dict) -> dict:
    """Managed resources in state, counted per example key."""
    proc = run([terraform, "show", "-json", "-no-color"], root, env)
    try:
        state = json.loads(proc.stdout or "{}")
    except ValueError:
        return {}
    counts: dict = {}

    def walk(module: dict):
        for resource in module.get("resources", []) or []:
            match = re.match(r"module\.(ex_[A-Za-z0-9_]+)", resource.get("address", ""))
            if match and resource.get("mode") == "managed":
                counts.setdefault(match.group(1), []).append(resource["address"])
        for child in module.get("child_modules", []) or []:
            walk(child)
    walk((state.get("values") or {}).get("root_module") or {})
    return counts


def run_examples(terraform: str, examples: list, workdir: Path, env: dict, endpoint: str,
                 mode: str, log=print) -> dict:
    """Apply+destroy (mode 'apply') or plan (mode 'plan') all examples in one root.

    Returns {example.id: {"ok": bool, "errors": [...], "resources": n, "phase": str}}.
    """
    results = {e.id: {"ok": False, "errors": [], "resources": 0, "phase": "not run"} for e in examples}
    env = dict(env, AWS_ENDPOINT_URL=endpoint)
    pending = list(examples)
    tree = copy_modules(workdir)
    for attempt in range(3):
        if not pending:
            break
        root = workdir / ("root-%s-%d" % (mode, attempt))
        names = write_root(root, tree, pending)
        init_result = init(terraform, root, env)
        if init_result.returncode != 0:
            blamed = [e for e in pending if "examples/%s" % e.name in init_result.stderr and e.module in init_result.stderr]
            for example in blamed or pending:
                results[example.id].update(phase="init", errors=["init failed: " + init_result.stderr[-2000:]])
            pending = [e for e in pending if e not in blamed]
            if not blamed:
                return results
            continue
        by_key = {e.key: e for e in pending}
        if mode == "plan":
            outcome = tf_json_run(terraform, ["plan", "-json", "-input=false", "-lock=false", PARALLELISM],
                                  root, env, pending)
            log("plan of %d examples: rc=%d in %.0fs" % (len(pending), outcome["rc"], outcome["seconds"]))
            for key, example in by_key.items():
                errors = outcome["errors"].get(key, []) + outcome["general"]
                actions = outcome["planned"].get(key, [])
                results[example.id].update(phase="plan", errors=errors, resources=len(actions),
                                           ok=not errors and bool(actions))
                if not actions and not errors:
                    results[example.id]["errors"] = ["plan proposed no resources"]
            if outcome["errors"] and not outcome["general"] and outcome["rc"] != 0:
                # one example's error hides the others' plans: set it aside and plan the rest again
                blamed = [by_key[k] for k in outcome["errors"]]
                pending = [e for e in pending if e not in blamed]
                continue
            return results
        outcome = tf_json_run(terraform, ["apply", "-json", "-auto-approve", "-input=false", "-lock=false", PARALLELISM],
                              root, env, pending, names)
        log("apply of %d examples: rc=%d in %.0fs; slowest: %s" % (
            len(pending), outcome["rc"], outcome["seconds"], ", ".join("%s %ss" % (a, t) for t, a in outcome["slowest"])))
        if outcome["rc"] != 0 and not outcome["started_applying"] and outcome["errors"] and not outcome["general"]:
            blamed = [by_key[k] for k in outcome["errors"]]
            for example in blamed:
                results[example.id].update(phase="plan", errors=outcome["errors"][example.key])
            pending = [e for e in pending if e not in blamed]
            continue
        created = state_resources(terraform, root, env)
        for key, example in by_key.items():
            errors = outcome["errors"].get(key, []) + outcome["general"]
            wanted = len([a for a in outcome["planned"].get(key, []) if a in ("create", "replace")])
            got = len(created.get(key, []))
            if not errors and got < wanted:
                errors = ["apply created %d of the %d resources it planned" % (got, wanted)]
            results[example.id].update(phase="apply", errors=errors, resources=got)
        # no refresh: the state was just written by the apply, and reading it all back costs minutes
        destroy = tf_json_run(terraform, ["destroy", "-json", "-auto-approve", "-input=false", "-lock=false",
                                          "-refresh=false", PARALLELISM],
                              root, env, pending, names)
        log("destroy of %d examples: rc=%d in %.0fs; slowest: %s" % (
            len(pending), destroy["rc"], destroy["seconds"], ", ".join("%s %ss" % (a, t) for t, a in destroy["slowest"])))
        left = state_resources(terraform, root, env)
        for key, example in by_key.items():
            result = results[example.id]
            errors = destroy["errors"].get(key, []) + destroy["general"]
            if errors:
                result["errors"] += ["destroy: " + e for e in errors]
            if left.get(key):
                result["errors"].append("destroy left %d resources: %s" % (len(left[key]), ", ".join(left[key][:5])))
            if not result["errors"] and result["resources"] == 0:
                result["errors"].append("apply created no resources")
            result["ok"] = not result["errors"]
            result["phase"] = "apply+destroy"
        return results
    return results


# ---------------------------------------------------------------- CLI

def main(argv=None) -> int:
    sys.path.insert(0, str(REPO / "tools"))
    import local_endpoint
    import toolchain

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["validate", "examples"])
    parser.add_argument("modules", nargs="*", help="module names (default: all)")
    parser.add_argument("--endpoint", help="local AWS endpoint URL (default: start moto on a free port)")
    parser.add_argument("--workdir", help="keep work files here (default: a temp dir)")
    args = parser.parse_args(argv)
    # SIGTERM -> SystemExit so the finally below stops the moto server this run started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    terraform = toolchain.find_terraform()
    mirror = toolchain.find_mirror()
    if not terraform or not mirror:
        print("need terraform on PATH and an AWS provider mirror (GROUNDWORK_PROVIDER_MIRROR)", file=sys.stderr)
        return 2
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="gw-modtest-"))
    env = terraform_env(mirror["path"], workdir)
    warm_plugin_cache(terraform, env, workdir)
    if args.action == "validate":
        tree = copy_modules(workdir)
        modules = [m for m in tfdocs.module_dirs(tree) if not args.modules or m.name in args.modules]
        results = validate_all(terraform, modules, env)
        for name, result in sorted(results.items()):
            print("%-24s %s %5.1fs %s" % (name, "ok  " if result["valid"] else "FAIL", result["seconds"],
                                          "\n  ".join([""] + result["errors"]) if result["errors"] else ""))
        return 0 if all(r["valid"] for r in results.values()) else 1
    examples = discover_examples(MODULES_ROOT, args.modules or None)
    proc, endpoint = None, args.endpoint
    if not endpoint:
        port = local_endpoint.free_port()
        endpoint = "http://127.0.0.1:%d" % port
        proc = local_endpoint.start_moto(port, workdir / "moto.log")
        local_endpoint.wait_until_healthy(endpoint, proc)
    try:
        results = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(run_examples, terraform, [e for e in examples if e.mode == mode],
                                   workdir / mode, env, endpoint, mode)
                       for mode in ("apply", "plan") if any(e.mode == mode for e in examples)]
            for future in futures:
                results.update(future.result())
    finally:
        if proc is not None:
            local_endpoint.stop_pid(proc.pid)
    for name, result in sorted(results.items()):
        print("%-28s %s %-14s resources=%d" % (name, "ok  " if result["ok"] else "FAIL", result["phase"], result["resources"]))
        for error in result["errors"]:
            print("    " + error[:1500])
    print("work files: %s" % workdir)
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
