# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The terraform (or OpenTofu) command line: binary discovery, argv builders, one runner.

Argv builders are pure (unit-tested for exact argv); ``Runner`` is the only place a
terraform process starts. It streams output into the unit's log file as it arrives (so a
long apply can be followed with ``tail -f``), parses terraform's ``-json`` event stream
into a typed result, and forwards SIGINT/SIGTERM to terraform exactly once so it can save
state and release its lock.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError, TerraformError
from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import write_private

MINIMUM_VERSION = (1, 0, 0)

# Features keyed by the first version that has them, per flavor.
_FEATURES = {
    "terraform": {
        "json_ui": (0, 15, 3),
        "backend_endpoints_block": (1, 6, 0),   # endpoints = {s3=..}, use_path_style
        "s3_lockfile": (1, 10, 0),              # use_lockfile = true
        "test_command": (1, 6, 0),
    },
    "opentofu": {
        "json_ui": (1, 6, 0),
        "backend_endpoints_block": (1, 6, 0),
        "s3_lockfile": (1, 10, 0),
        "test_command": (1, 6, 0),
    },
}


def parse_version(text):
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    if not match:
        return None
    return tuple(int(part) for part in match.groups())


class TerraformInfo:
    """A resolved binary: path, version tuple and flavor ('terraform' or 'opentofu')."""

    def __init__(self, path, version, flavor):
        self.path = path
        self.version = version
        self.flavor = flavor

    @property
    def version_string(self):
        return ".".join(str(part) for part in self.version)

    def supports(self, feature):
        return self.version >= _FEATURES[self.flavor][feature]

    def as_dict(self):
        return {"path": self.path, "version": self.version_string, "flavor": self.flavor}


def find_binary(requested=None):
    """Path of the binary to run: the requested one, else terraform, else tofu."""
    candidates = [requested] if requested else ["terraform", "tofu"]
    for candidate in candidates:
        if os.path.sep in candidate:
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return os.path.abspath(candidate)
            continue
        found = shutil.which(candidate)
        if found:
            return found
    if requested:
        raise InputError("terraform_binary %r not found or not executable; install terraform >= 1.5 "
                         "or OpenTofu, or set terraform_binary to its path" % requested)
    raise InputError("neither terraform nor tofu found on PATH; install terraform >= 1.5 or OpenTofu, "
                     "or set terraform_binary to its path")


def version_cache_file(cache_dir, path):
    """Where the version of binary ``path`` is cached in a directory shared by every unit (or None).

    One file per binary in the plugin cache dir: the first unit (or stack_run, before any unit)
    asks the binary once; every other unit, cold work dir or not, starts no ``terraform version``.
    """
    if not cache_dir:
        return None
    import hashlib

    digest = hashlib.sha256(os.path.realpath(path).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return os.path.join(cache_dir, ".groundwork-terraform-version-%s.json" % digest)


def detect(path, cache_file=None, run=subprocess.run):
    """Version and flavor of ``path``, cached in ``cache_file`` keyed by the binary's identity.

    The identity is the binary's real path, size and modification time: an upgrade in place
    changes it. The cache matters: a no-op unit run may start a single terraform process.
    """
    stat = os.stat(path)
    identity = "%s:%d:%d" % (os.path.realpath(path), stat.st_size, stat.st_mtime_ns)
    if cache_file and os.path.exists(cache_file):
        try:
            with open(cache_file) as handle:
                cached = json.load(handle)
            if cached.get("identity") == identity:
                return TerraformInfo(path, tuple(cached["version"]), cached["flavor"])
        except (OSError, ValueError, KeyError):
            pass
    proc = run([path, "version", "-json"], capture_output=True, text=True, env=_clean_env(os.environ), check=False)
    version, flavor = None, "terraform"
    try:
        data = json.loads(proc.stdout)
        version = parse_version(data.get("terraform_version", ""))
    except ValueError:
        version = parse_version(proc.stdout)
    if "opentofu" in (proc.stdout + proc.stderr).lower() or os.path.basename(path).startswith("tofu"):
        flavor = "opentofu"
    if version is None:
        raise TerraformError("could not read the version of %s (exit %s): %s"
                             % (path, proc.returncode, (proc.stderr or proc.stdout).strip()[:300]))
    if version < MINIMUM_VERSION:
        raise InputError("%s is version %s; groundwork.terraform needs terraform >= 1.0 (1.5+ recommended)"
                         % (path, ".".join(map(str, version))))
    if cache_file:
        try:
            os.makedirs(os.path.dirname(cache_file), exist_ok=True)
            write_private(cache_file, json.dumps({"identity": identity, "version": list(version), "flavor": flavor}))
        except OSError:
            pass  # a cache that cannot be written costs the next run one process, nothing more
    return TerraformInfo(path, version, flavor)


def _clean_env(env):
    # TF_CLI_ARGS* would silently add flags to every command we build; we own the argv.
    return {k: v for k, v in env.items() if not k.startswith("TF_CLI_ARGS")}


# ---------------------------------------------------------------------------------------
# argv builders: pure functions, the exact argv is asserted in unit tests.

def init_argv(binary, reconfigure=False, migrate_state=False, upgrade=False, backend=True):
    argv = [binary, "init", "-input=false", "-no-color"]
    if not backend:
        argv.append("-backend=false")
    if reconfigure:
        argv.append("-reconfigure")
    if migrate_state:
        argv.extend(["-migrate-state", "-force-copy"])
    if upgrade:
        argv.append("-upgrade")
    return argv


def _common_run_flags(lock_timeout=None, parallelism=None):
    flags = []
    if lock_timeout:
        flags.append("-lock-timeout=%s" % lock_timeout)
    if parallelism:
        flags.append("-parallelism=%d" % parallelism)
    return flags


def _planning_flags(var_file=None, destroy=False, targets=(), replace=(), lock_timeout=None, parallelism=None):
    flags = ["-destroy"] if destroy else []
    if var_file:
        flags.append("-var-file=%s" % var_file)
    flags.extend(_common_run_flags(lock_timeout, parallelism))
    flags.extend("-target=%s" % target for target in targets)
    flags.extend("-replace=%s" % address for address in replace)
    return flags


def plan_argv(binary, out, var_file=None, destroy=False, targets=(), replace=(), lock_timeout=None,
              parallelism=None, json_ui=True):
    argv = [binary, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=%s" % out]
    if json_ui:
        argv.append("-json")
    argv.extend(_planning_flags(var_file, destroy, targets, replace, lock_timeout, parallelism))
    return argv


def direct_apply_argv(binary, var_file=None, destroy=False, targets=(), replace=(), lock_timeout=None,
                      parallelism=None):
    """apply without a saved plan: plan and apply in one process under one lock (-json UI only:
    its plan-phase events give the plan summary)."""
    argv = [binary, "apply", "-input=false", "-no-color", "-auto-approve", "-json"]
    argv.extend(_planning_flags(var_file, destroy, targets, replace, lock_timeout, parallelism))
    return argv


def apply_argv(binary, plan_path, lock_timeout=None, parallelism=None, json_ui=True):
    argv = [binary, "apply", "-input=false", "-no-color", "-auto-approve"]
    if json_ui:
        argv.append("-json")
    argv.extend(_common_run_flags(lock_timeout, parallelism))
    argv.append(plan_path)
    return argv


def show_json_argv(binary, plan_path=None):
    argv = [binary, "show", "-json", "-no-color"]
    if plan_path:
        argv.append(plan_path)
    return argv


def state_pull_argv(binary):
    return [binary, "state", "pull"]


def force_unlock_argv(binary, lock_id):
    return [binary, "force-unlock", "-force", "-no-color", lock_id]


# ---------------------------------------------------------------------------------------
# A saved plan holds the state it was planned against.

PLAN_STATE_ENTRY = "tfstate"
_PLAN_STATE_LIMIT = 256 * 1024 * 1024


def state_from_plan_file(path):
    """The prior state inside a saved plan (parsed JSON), or None when it cannot be read from it.

    A plan file is a zip; its ``tfstate`` entry is the state the plan was made against, after
    refresh, in the state file format (version 4), with serial and lineage. Written by terraform
    0.12 to 1.x and OpenTofu alike, but not a documented interface: anything unexpected (an
    encrypted OpenTofu plan, a missing entry, another format version) gives None, and the caller
    falls back to ``terraform state pull``.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(PLAN_STATE_ENTRY)
            if info.file_size > _PLAN_STATE_LIMIT:
                return None
            state = json.loads(archive.read(info).decode("utf-8"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return None
    if not isinstance(state, dict) or state.get("version") != 4 or not isinstance(state.get("outputs", {}), dict):
        return None
    return state


# ---------------------------------------------------------------------------------------
# Reading terraform's machine output.

class Diagnostic:
    def __init__(self, severity, summary, detail="", filename=None, line=None):
        self.severity = severity
        self.summary = summary
        self.detail = detail or ""
        self.filename = filename
        self.line = line

    @property
    def where(self):
        if self.filename:
            return "%s:%s" % (self.filename, self.line) if self.line else self.filename
        return None

    def one_line(self):
        detail = " ".join(self.detail.split())
        text = self.summary + (": " + detail if detail else "")
        return text + (" (at %s)" % self.where if self.where else "")


def _once(callback):
    """``callback`` made to run on its first call only (None stays None)."""
    if callback is None:
        return None
    pending = [callback]

    def call():
        if pending:
            pending.pop()()
    return call


class EventStream:
    """What a ``-json`` plan or apply said: changes, summary, outputs, diagnostics."""

    def __init__(self, on_planned=None):
        # called once, when the plan is made (before an apply's changes start)
        self.on_planned = _once(on_planned)
        self.resource_changes = []   # [{"address": ..., "actions": [...]}]
        self.summary = None          # {"add":.., "change":.., "remove":.., "import":..}: the last one
        self.outputs = None          # {name: {"sensitive": bool, "action"|"value": ...}}: the last one
        # An apply without a saved plan reports its plan first, then what it applied: these keep
        # the plan's (for a plan run they equal summary and outputs).
        self.plan_summary = None
        self.planned_outputs = None
        self.diagnostics = []
        self.drift = []

    def feed(self, line):
        """Parse one stdout line; returns the human message to log (or the raw line)."""
        try:
            event = json.loads(line)
        except ValueError:
            return line
        if not isinstance(event, dict):
            return line
        kind = event.get("type")
        if kind == "planned_change":
            change = event.get("change", {})
            self.resource_changes.append({
                "address": change.get("resource", {}).get("addr"),
                "actions": _actions(change.get("action")),
            })
        elif kind == "resource_drift":
            change = event.get("change", {})
            self.drift.append({"address": change.get("resource", {}).get("addr"),
                               "actions": _actions(change.get("action"))})
        elif kind == "change_summary":
            self.summary = event.get("changes")
            if (self.summary or {}).get("operation") != "apply":
                self.plan_summary = self.summary
                if self.on_planned is not None:
                    self.on_planned()
        elif kind == "outputs":
            self.outputs = event.get("outputs")
            # planned outputs carry an action; applied (and a saved plan's apply) carry values
            if isinstance(self.outputs, dict) and any(
                    isinstance(o, dict) and "action" in o for o in self.outputs.values()):
                self.planned_outputs = self.outputs
        elif kind == "diagnostic":
            diag = event.get("diagnostic", {})
            rng = diag.get("range") or {}
            self.diagnostics.append(Diagnostic(diag.get("severity", "error"), diag.get("summary", ""),
                                               diag.get("detail", ""), rng.get("filename"),
                                               (rng.get("start") or {}).get("line")))
        return event.get("@message", line)

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.severity == "error"]


def _actions(action):
    # -json UI speaks of one action; show -json speaks of a list. We keep show -json's form.
    mapping = {"create": ["create"], "update": ["update"], "delete": ["delete"],
               "replace": ["delete", "create"], "read": ["read"], "noop": ["no-op"],
               "move": ["no-op"], "remove": ["forget"], "import": ["import"], "forget": ["forget"]}
    return mapping.get(action, [action] if action else [])


_BOX = re.compile(r"^[\s│╷╵]*")


def text_errors(text):
    """Error blocks of terraform's human output (init has no -json on older versions)."""
    errors, current = [], None
    for raw in text.splitlines():
        line = _BOX.sub("", raw).rstrip()
        if line.startswith("Error: "):
            current = [line[len("Error: "):]]
            errors.append(current)
        elif current is not None:
            if raw.strip().startswith("╵"):
                current = None
            elif line:
                current.append(line.strip())
    return [Diagnostic("error", block[0], " ".join(block[1:])) for block in errors]


class RunResult:
    def __init__(self, argv, rc, stdout, stderr, events, duration):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.events = events
        self.duration = duration

    @property
    def errors(self):
        errors = self.events.errors
        return errors or text_errors(self.stderr) or text_errors(self.stdout)


class Runner:
    """Runs terraform commands in one work dir with one environment, logging everything.

    ``started`` counts the processes started: the benchmark and the tests hold us to it.
    """

    def __init__(self, cwd, env, log_path=None, redact=(), niceness=0, on_planned=None):
        self.cwd = cwd
        # called once, when the first plan of this runner is made (see EventStream)
        self.on_planned = _once(on_planned)
        # > 0: terraform (and the providers it starts) yield the CPU to others (work done ahead of need)
        self.niceness = niceness
        self.env = _clean_env(env)
        self.log_path = log_path
        self.redact = [value for value in redact if isinstance(value, str) and len(value) >= 3]
        self.started = 0
        self.commands = []

    def _log(self, text):
        if not self.log_path:
            return
        for secret in self.redact:
            text = text.replace(secret, "********")
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            handle.write(text)

    def run(self, argv, json_events=False):
        """Run ``argv``; returns RunResult. Never raises for a non-zero exit: callers decide."""
        self.started += 1
        self.commands.append(" ".join(argv[1:3]))
        self._log("\n### %s  %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), " ".join(argv)))
        started = time.monotonic()
        events = EventStream(on_planned=self.on_planned)
        try:
            proc = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                    start_new_session=True)
        except OSError as exc:
            raise TerraformError("could not start %s: %s" % (argv[0], exc))
        if self.niceness:
            _lower_priority(proc.pid, self.niceness)
        stderr_lines = []
        reader = threading.Thread(target=self._drain, args=(proc.stderr, stderr_lines))
        reader.daemon = True
        reader.start()
        stdout_lines = []
        with _ForwardSignals(proc):
            for line in proc.stdout:
                stdout_lines.append(line)
                message = events.feed(line) if json_events else line
                self._log(message if message.endswith("\n") else message + "\n")
            proc.wait()
        reader.join()
        duration = time.monotonic() - started
        self._log("### exit %d after %.1fs\n" % (proc.returncode, duration))
        return RunResult(argv, proc.returncode, "".join(stdout_lines), "".join(stderr_lines), events, duration)

    def _drain(self, stream, sink):
        for line in stream:
            sink.append(line)
            self._log(line)


def _lower_priority(pid, niceness):
    """Raise ``pid``'s nice value by ``niceness`` (set before terraform starts its providers, which
    inherit it); where that is not possible the process just keeps our priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + niceness))
    except (AttributeError, OSError):
        pass


class _ForwardSignals:
    """While terraform runs, SIGINT/SIGTERM to us go to terraform once.

    terraform runs in its own session, so a terminal's Ctrl-C reaches it only through us:
    one signal lets it finish in-flight operations, save state and release the lock (a
    second one would make it exit at once). A later signal is not forwarded again.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, proc):
        self.proc = proc
        self.previous = {}
        self.forwarded = False

    def _handler(self, signum, frame):
        if not self.forwarded and self.proc.poll() is None:
            self.forwarded = True
            try:
                self.proc.send_signal(signum)
            except OSError:
                pass

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self.previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False
