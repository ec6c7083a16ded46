"""Running one measured command: wall time, peak memory of its whole process tree, logs.

Also reads the two instrumentation logs every measured run leaves behind:
  * the terraform wrapper's log (bench/tf-wrapper.sh): one line per terraform process,
    start, end, exit code, work dir and subcommand;
  * the timeline callback's log (bench/callback/bench_timeline.py): per host and task,
    when Ansible started and finished it.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import threading
import time

try:
    import psutil
except ImportError:  # the profile runs in .venv, without psutil: no memory figure there
    psutil = None


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants until it exits.

    On Linux one read of /proc/<pid>/stat per process gives its parent and name, and
    /proc/<pid>/statm the RSS of each descendant (what psutil reads too): a sample costs less
    CPU than psutil's walk, and the sampler shares the two cores with what it measures.
    """

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0
        self.peak_processes = 0
        self.provider_pids = {}  # pid -> provider binary name: each one is a provider loaded once
        self.stop = threading.Event()

    def run(self):
        sample = self._sample_proc if os.path.isdir("/proc/%d" % self.pid) else self._sample_psutil
        while not self.stop.is_set():
            found = sample()
            if found is None:
                break
            total, count = found
            self.peak_rss = max(self.peak_rss, total)
            self.peak_processes = max(self.peak_processes, count)
            self.stop.wait(self.interval)

    def _sample_proc(self):
        table = proc_table()
        if self.pid not in table:
            return None
        children = {}
        for pid, (ppid, _name) in table.items():
            children.setdefault(ppid, []).append(pid)
        total, count, todo = 0, 0, [self.pid]
        while todo:
            pid = todo.pop()
            name = table[pid][1]
            total += resident_bytes(pid)
            count += 1
            if name.startswith("terraform-provi"):
                self.provider_pids.setdefault(pid, name)
            todo.extend(children.get(pid, ()))
        return total, count

    def _sample_psutil(self):
        if psutil is None:
            return None
        try:
            root = psutil.Process(self.pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return None
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
                name = proc.name()
                if name.startswith("terraform-provi"):
                    self.provider_pids.setdefault(proc.pid, name)
            except psutil.Error:
                pass
        return total, len(procs)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid):
    """RSS of one process from /proc/<pid>/statm (0 when it is gone)."""
    try:
        with open("/proc/%d/statm" % pid, "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def proc_table():
    """{pid: (parent pid, name)} of every process, from /proc/<pid>/stat."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as handle:
                data = handle.read()
        except OSError:
            continue  # gone meanwhile
        close = data.rfind(b")")
        fields = data[close + 2:].split()
        if len(fields) < 2:
            continue
        table[int(entry)] = (int(fields[1]), data[data.find(b"(") + 1:close].decode(errors="replace"))
    return table


def machine_cpu():
    """(busy CPU seconds of the whole machine since boot, 1-minute load average)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    with open("/proc/loadavg") as handle:
        load = float(handle.read().split()[0])
    return busy, load


def run(argv, cwd, env, log_path, timeout=None):
    """Run argv; returns {wall, rc, cpu_seconds, peak_rss_mb, peak_processes, started, finished, log}."""
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "wb") as log:
        started = time.time()
        t0 = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine_before, load_before = machine_cpu()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine_after, load_after = machine_cpu()
        sampler.stop.set()
        sampler.join()
    # every descendant that was reaped (terraform by the module, modules by workers, ...)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # what else kept the machine busy meanwhile (other people's test runs skew every wall time)
    others = max(0.0, (machine_after - machine_before) - cpu)
    return {"wall": round(wall, 3), "rc": rc, "cpu_seconds": round(cpu, 2),
            "other_cpu_seconds": round(others, 1), "other_cores_busy": round(others / wall, 2) if wall else 0.0,
            "load_before": load_before, "load_after": load_after, "peak_rss_mb": round(sampler.peak_rss / 2**20, 1),
            "peak_processes": sampler.peak_processes, "started": started, "finished": started + wall,
            # sampled every 0.1 s: a provider process living less than that can be missed
            "provider_processes_seen": len(sampler.provider_pids),
            "log": log_path}


def read_tf_log(path):
    """Terraform processes from the wrapper log: [{start, end, rc, cwd, command}]."""
    procs = []
    if not path or not os.path.exists(path):
        return procs
    with open(path) as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            procs.append({"start": float(parts[0]), "end": float(parts[1]), "rc": int(parts[2]),
                          "cwd": parts[3], "command": parts[4]})
    return procs


def read_callback_log(path):
    """Ansible task events from the timeline callback: [{host, task, start, end, status}]."""
    events = []
    if not path or not os.path.exists(path):
        return events
    with open(path) as handle:
        for line in handle:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return ""
