#!/usr/bin/env python3
"""Where the orchestration time of a warm no-op unit goes (issue 6 profile).

Runs in the project's .venv (it imports ansible, boto3 and the collection in-process):
  .venv/bin/python bench/profile_noop.py        (make bench-profile)

On its own moto endpoint it deploys a 2-unit stack (a <- b) with deploy.yml, then measures
the warm no-op of unit b from several sides:
  1. the whole warm deploy.yml: per play, per task, per unit (timeline callback + status files);
  2. the unit module alone, as an Ansible task on localhost (AnsiballZ + module start-up);
  3. UnitRunner in-process under cProfile (terraform plan, python around it);
  4. python imports in a fresh interpreter (what every module run and every worker pays);
  5. the dependency-output read (remote_state: boto3 client + one S3 GET);
  6. Ansible's own per-host task cost: 30 hosts, free strategy, an action-only task and a
     module task, forks 30;
  7. how late the dependency wait notices a finished dependency (its poll back-off).
Writes bench/output/profile.json and prints the breakdown.
"""
from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "collections"))

import analyze  # noqa: E402
import measure  # noqa: E402
import stacks  # noqa: E402

VENV_BIN = os.path.join(REPO, ".venv", "bin")
PY = os.path.join(VENV_BIN, "python")
OUT = os.path.join(HERE, "output", "profile")
BUCKET, TABLE, REGION = "prof-state", "prof-lock", "us-east-1"


def main():
    import shutil
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "logs"))
    toolchain = json.load(open(os.path.join(REPO, ".venv", "toolchain.json")))
    sys.path.insert(0, os.path.join(REPO, "tools"))
    from local_endpoint import free_port
    port = free_port()
    endpoint = "http://127.0.0.1:%d" % port
    state_env = dict(os.environ, GROUNDWORK_STATE_DIR=os.path.join(OUT, "endpoint"))
    subprocess.run([PY, os.path.join(REPO, "tools", "local_endpoint.py"), "up", "--port", str(port)], env=state_env,
                   check=True)
    report = {}
    try:
        prof = Profile(endpoint, toolchain["terraform"])
        prof.setup()
        report["deploy_warm"] = prof.warm_deploy()
        report["module_task"] = prof.module_task()
        report["in_process"] = prof.in_process()
        report["imports"] = imports()
        report["dependency_read"] = prof.dependency_read()
        report["ansible_per_host"] = prof.ansible_per_host()
        report["poll_latency"] = poll_latency()
    finally:
        subprocess.run([PY, os.path.join(REPO, "tools", "local_endpoint.py"), "down", "--port", str(port)],
                       env=state_env, check=False)
    report["load_average_at_end"] = open("/proc/loadavg").read().split()[:3]
    with open(os.path.join(HERE, "output", "profile.json"), "w") as handle:
        json.dump(report, handle, indent=1, sort_keys=True, default=str)
    print_report(report)
    return 0


class Profile:
    def __init__(self, endpoint, terraform):
        self.endpoint = endpoint
        self.terraform = terraform
        self.project = os.path.join(OUT, "work")
        self.units = {"a": [], "b": ["a"]}
        self.delays = {"a": 1, "b": 1}

    def env(self, name):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "TF_", "AWS_"))}
        env.update({"PATH": VENV_BIN + os.pathsep + env.get("PATH", ""),
                    "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
                    "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback"),
                    "ANSIBLE_CALLBACKS_ENABLED": "bench_timeline",
                    "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION,
                    "AWS_ENDPOINT_URL": self.endpoint,
                    "BENCH_TF_REAL": self.terraform,
                    "BENCH_TF_LOG": os.path.join(OUT, "logs", name + ".tf.log"),
                    "BENCH_ANSIBLE_LOG": os.path.join(OUT, "logs", name + ".ansible.log")})
        return env

    def ansible(self, argv, name, cwd=None):
        env = self.env(name)
        res = measure.run(argv, cwd=cwd or self.project, env=env, log_path=os.path.join(OUT, "logs", name + ".out"))
        if res["rc"] != 0:
            raise SystemExit("%s failed:\n%s" % (name, measure.tail(res["log"])))
        res["tf"] = measure.read_tf_log(env["BENCH_TF_LOG"])
        res["events"] = measure.read_callback_log(env["BENCH_ANSIBLE_LOG"])
        return res

    def setup(self):
        os.makedirs(self.project, exist_ok=True)
        self.ansible([os.path.join(VENV_BIN, "ansible"), "localhost", "-c", "local", "-e",
                      "ansible_python_interpreter=" + PY, "-m", "groundwork.terraform.state_backend", "-a",
                      json.dumps({"bucket": BUCKET, "lock_table": TABLE, "region": REGION,
                                  "endpoint_url": self.endpoint, "enforce_tls": False})], "bootstrap")
        self.inventory = stacks.write_inventory(
            os.path.join(OUT, "stack"), "prof", self.units, self.delays,
            {"aws_region": REGION, "aws_endpoint_url": self.endpoint, "tf_state_bucket": BUCKET,
             "tf_lock_table": TABLE, "tf_state_enforce_tls": False,
             "terraform_modules_dir": os.path.join(REPO, "tests", "fixtures", "modules"),
             "terraform_binary": os.path.join(HERE, "tf-wrapper.sh"),
             "terraform_plugin_cache_dir": os.path.join(OUT, "plugin-cache"),
             "groundwork_work_root": os.path.join(self.project, "units")})
        self.deploy("cold")

    def deploy(self, name):
        res = self.ansible([os.path.join(VENV_BIN, "ansible-playbook"), os.path.join(REPO, "playbooks", "deploy.yml"),
                            "-i", self.inventory, "-f", "2"], name)
        run_dir = analyze.latest_run_dir(self.project, "prof", "deploy")
        return res, run_dir

    def warm_deploy(self):
        res, run_dir = self.deploy("warm")
        run = analyze.stack_run(res, run_dir, self.units, res["tf"], "deploy")
        manifest, _ = analyze.read_run(run_dir)
        self.resolved = manifest["resolved"]["b"]
        tasks = {}
        for event in res["events"]:
            if event.get("event") == "task" and event.get("start"):
                key = "%s | %s | %s" % (event["play"], event["task"], event["host"])
                tasks[key] = round(event["end"] - event["start"], 3)
        row = run["units"]["b"]
        procs = {c: round(e - s, 3) for s, e, c in row["tf_intervals"]}
        return {"wall": res["wall"], "cpu_seconds": res["cpu_seconds"],
                "plays": analyze.ansible_phases(res["events"])["plays"], "tasks": tasks,
                "unit_b": {"span": row["span"], "module_duration": row["module_duration"],
                           "terraform": row["terraform"], "terraform_by_command": procs,
                           "outside_module": row["outside_module"], "module_python": row["module_python"]}}

    def module_args(self):
        cfg = self.resolved
        args = {k: cfg[k] for k in ("source", "work_dir", "backend", "aws_provider", "terraform_binary",
                                    "provider_mirror", "plugin_cache_dir", "allow_destroy") if cfg.get(k) is not None}
        args.update(name="b", inputs={"name": "b", "upstream": ["a"], "delay": "1"}, mocked_inputs=[], state="present")
        return args

    def module_task(self, repeat=5):
        """The unit module as plain Ansible tasks on localhost: task time vs the module's own duration."""
        book = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
                 "vars": {"ansible_python_interpreter": PY},
                 "tasks": [{"name": "unit b, run %d" % i, "groundwork.terraform.unit": self.module_args()}
                           for i in range(repeat)]}]
        path = os.path.join(OUT, "module-task.yml")
        with open(path, "w") as handle:
            json.dump(book, handle)
        res = self.ansible([os.path.join(VENV_BIN, "ansible-playbook"), path, "-i", "localhost,"], "module-task")
        rows = []
        for event in res["events"]:
            if event.get("event") == "task" and event.get("module_duration") is not None:
                task = event["end"] - event["start"]
                rows.append({"task": task, "module_duration": event["module_duration"],
                             "outside_module": task - event["module_duration"]})
        procs = res["tf"]
        per_command = {}
        for proc in procs:
            per_command.setdefault(proc["command"], []).append(proc["end"] - proc["start"])
        return {"runs": rows, "task_median": statistics.median(r["task"] for r in rows),
                "module_duration_median": statistics.median(r["module_duration"] for r in rows),
                "outside_module_median": statistics.median(r["outside_module"] for r in rows),
                "terraform_median": {c: statistics.median(v) for c, v in per_command.items()},
                "playbook_wall": res["wall"]}

    def in_process(self, repeat=3):
        """UnitRunner.run() for the warm unit in this process, under cProfile."""
        from ansible_collections.groundwork.terraform.plugins.module_utils.unit import UnitRunner, UnitSpec
        env = self.env("in-process")
        os.environ.update({k: env[k] for k in ("BENCH_TF_REAL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                               "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")})
        os.environ.pop("BENCH_TF_LOG", None)
        wanted = {
            "terraform processes (Runner.run)": ("terraform_cli.py", "run"),
            "hcl.read_module (parse the module)": ("hcl.py", "read_module"),
            "WorkDir.sync (copy the source)": ("workdir.py", "sync"),
            "terraform_cli.detect (version, cached)": ("terraform_cli.py", "detect"),
            "init check (fingerprint)": ("unit.py", "_init_if_needed"),
            "generate backend/provider files": ("unit.py", "_generate"),
        }
        runs = []
        for _ in range(repeat):
            profiler = cProfile.Profile()
            t0 = time.perf_counter()
            profiler.enable()
            result = UnitRunner(UnitSpec(**self.module_args())).run()
            profiler.disable()
            total = time.perf_counter() - t0
            stats = pstats.Stats(profiler)
            parts = {}
            for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
                for label, (fname, fn) in wanted.items():
                    if filename.endswith(fname) and func == fn:
                        parts[label] = parts.get(label, 0.0) + ct
            runs.append({"total": total, "parts": parts, "changed": result.get("changed"),
                         "terraform_commands": result.get("terraform_commands")})
            path = os.path.join(OUT, "unit-b.pstats")
            stats.dump_stats(path)
        first_import = subprocess.run([PY, "-c", (
            "import sys, time; sys.path.insert(0, %r); t = time.perf_counter(); "
            "from ansible_collections.groundwork.terraform.plugins.module_utils import unit, hcl; "
            "hcl.read_module(%r); print(time.perf_counter() - t)") % (
            os.path.join(REPO, "collections"), os.path.join(REPO, "tests", "fixtures", "modules", "data_chain"))],
            capture_output=True, text=True)
        return {"runs": runs, "total_median": statistics.median(r["total"] for r in runs),
                "parts_median": {k: statistics.median(r["parts"].get(k, 0.0) for r in runs) for k in wanted},
                "first_hcl_read_in_fresh_process": _float(first_import.stdout),
                "pstats": os.path.join(OUT, "unit-b.pstats")}

    def dependency_read(self):
        """What stack_unit pays per dependency in a fresh worker: import, client, one S3 GET."""
        code = (
            "import sys, time, json; sys.path.insert(0, %r)\n"
            "c = time.process_time; t0 = time.perf_counter(); c0 = c()\n"
            "from ansible_collections.groundwork.terraform.plugins.module_utils import remote_state\n"
            "t1 = time.perf_counter(); c1 = c()\n"
            "backend = json.loads(%r)\n"
            "remote_state.read_state_outputs(backend)\n"
            "t2 = time.perf_counter(); c2 = c()\n"
            "remote_state.read_state_outputs(backend)\n"
            "t3 = time.perf_counter(); c3 = c()\n"
            "print(json.dumps({'import': t1 - t0, 'first_read': t2 - t1, 'second_read': t3 - t2,\n"
            "                  'import_cpu': c1 - c0, 'first_read_cpu': c2 - c1, 'second_read_cpu': c3 - c2}))\n"
        ) % (os.path.join(REPO, "collections"), json.dumps(self.resolved_backend("a")))
        env = self.env("dependency-read")
        proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, env=env)
        try:
            return json.loads(proc.stdout)
        except ValueError:
            return {"error": (proc.stderr or proc.stdout)[-400:]}

    def resolved_backend(self, unit):
        run_dir = analyze.latest_run_dir(self.project, "prof", "deploy")
        manifest, _ = analyze.read_run(run_dir)
        return manifest["resolved"][unit]["backend"]

    def ansible_per_host(self, hosts=30):
        """Ansible's own cost per host and task, nothing of ours in it."""
        inv = {"all": {"hosts": {"h%02d" % i: {} for i in range(hosts)}}}
        inv_path = os.path.join(OUT, "hosts-%d.yml" % hosts)
        with open(inv_path, "w") as handle:
            json.dump(inv, handle)
        book = [{"hosts": "all", "connection": "local", "gather_facts": False, "strategy": "ansible.builtin.free",
                 "vars": {"ansible_python_interpreter": PY},
                 "tasks": [{"name": "action only", "ansible.builtin.debug": {"msg": "hi"}},
                           {"name": "a module", "ansible.builtin.ping": {}}]}]
        path = os.path.join(OUT, "per-host.yml")
        with open(path, "w") as handle:
            json.dump(book, handle)
        res = self.ansible([os.path.join(VENV_BIN, "ansible-playbook"), path, "-i", inv_path, "-f", str(hosts)],
                           "per-host")
        per_task = {}
        for event in res["events"]:
            if event.get("event") == "task" and event.get("start"):
                per_task.setdefault(event["task"], []).append(event["end"] - event["start"])
        return {"hosts": hosts, "forks": hosts, "wall": res["wall"], "cpu_seconds": res["cpu_seconds"],
                "per_task_median": {k: statistics.median(v) for k, v in per_task.items()},
                "per_task_max": {k: max(v) for k, v in per_task.items()}}


def imports():
    """Seconds to import, each in a fresh interpreter (median of 3)."""
    cases = {
        "python start-up alone": "pass",
        "ansible.module_utils.basic (every module)": "import ansible.module_utils.basic",
        "boto3": "import boto3",
        "boto3 + S3 client": "import boto3; boto3.session.Session().client('s3', region_name='us-east-1')",
        "hcl2 (python-hcl2)": "import hcl2",
        "groundwork unit module_utils": ("import sys; sys.path.insert(0, %r); from ansible_collections.groundwork."
                                         "terraform.plugins.module_utils import unit" % os.path.join(REPO, "collections")),
    }
    import resource
    out = {}
    for label, code in cases.items():
        walls, cpus = [], []
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([PY, "-c", code], check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        # CPU seconds: what it costs whatever else the machine does; wall: what it took here
        out[label] = {"cpu": statistics.median(cpus), "wall": statistics.median(walls)}
    return out


def poll_latency():
    """The dependency wait (module_utils/stack_run.RunDir.wait_for) polls at 0.1 s, x1.3 each time,
    at most 1 s: how late it notices a dependency that finishes T seconds after the wait began."""
    from ansible_collections.groundwork.terraform.plugins.module_utils import stack_run
    import inspect
    source = inspect.getsource(stack_run.RunDir.wait_for)
    out = {"source_has_backoff": "poll * 1.3" in source}
    if not out["source_has_backoff"]:
        poll = inspect.signature(stack_run.RunDir.wait_for).parameters["poll"].default
        out.update(fixed_poll_seconds=poll, mean_notice_latency=round(poll / 2.0, 3), max_notice_latency=poll)
        return out
    for finish in (1, 2, 5, 10, 30):
        t, poll = 0.0, 0.1
        while t < finish:
            t += poll
            poll = min(poll * 1.3, 1.0)
        out["dependency done after %ds" % finish] = round(t - finish, 3)
    samples = []
    for i in range(1, 301):
        finish = i / 10.0
        t, poll = 0.0, 0.1
        while t < finish:
            t += poll
            poll = min(poll * 1.3, 1.0)
        samples.append(t - finish)
    out["mean over 0.1..30 s"] = round(sum(samples) / len(samples), 3)
    return out


def _float(text):
    try:
        return float(text.strip())
    except ValueError:
        return None


def print_report(r):
    print("\n== warm no-op unit: where the time goes (2-unit stack a <- b, unit b)")
    d = r["deploy_warm"]
    print("deploy.yml warm: %.1f s wall, %.1f s CPU" % (d["wall"], d["cpu_seconds"]))
    for play in d["plays"]:
        print("   play %-45s %5.1f s" % (play["play"], play["seconds"] or 0))
    for task, secs in sorted(d["tasks"].items(), key=lambda kv: -kv[1])[:12]:
        print("   task %-80s %5.2f s" % (task[:80], secs))
    u = d["unit_b"]
    print("unit b in the deploy: %.2f s from ready to done = %.2f s outside the module + %.2f s python in the module "
          "+ %.2f s terraform %s" % (u["span"], u["outside_module"], u["module_python"], u["terraform"],
                                     u["terraform_by_command"]))
    m = r["module_task"]
    print("unit module as a plain task on localhost (median of %d): task %.2f s, module's own duration %.2f s -> "
          "%.2f s AnsiballZ + interpreter + imports + argument parsing; terraform %s"
          % (len(m["runs"]), m["task_median"], m["module_duration_median"], m["outside_module_median"],
             {k: round(v, 2) for k, v in m["terraform_median"].items()}))
    p = r["in_process"]
    print("UnitRunner.run() in-process (median of %d): %.3f s" % (len(p["runs"]), p["total_median"]))
    for label, secs in p["parts_median"].items():
        print("   %-45s %.3f s" % (label, secs))
    print("   first hcl read + unit imports in a fresh process: %s s" % p["first_hcl_read_in_fresh_process"])
    print("imports, fresh interpreter each (median of 3):")
    for label, secs in r["imports"].items():
        print("   %-45s %.3f s CPU, %.3f s wall" % (label, secs["cpu"], secs["wall"]))
    print("dependency output read in a fresh process: %s" % {k: round(v, 3) if isinstance(v, float) else v
                                                               for k, v in r["dependency_read"].items()})
    a = r["ansible_per_host"]
    print("Ansible alone, %d hosts, free, forks %d: %.1f s wall, %.1f s CPU; per host task median %s, max %s"
          % (a["hosts"], a["forks"], a["wall"], a["cpu_seconds"],
             {k: round(v, 2) for k, v in a["per_task_median"].items()},
             {k: round(v, 2) for k, v in a["per_task_max"].items()}))
    print("dependency wait: notice latency %s" % r["poll_latency"])
    print("load average at the end: %s (on %d cores; other work on the machine inflates wall times)"
          % (" ".join(r["load_average_at_end"]), os.cpu_count()))


if __name__ == "__main__":
    sys.exit(main())
