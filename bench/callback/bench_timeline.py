# Benchmark instrumentation, not part of the collection: records when Ansible starts and
# finishes each task on each host, one JSON line per event, into $BENCH_ANSIBLE_LOG.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timeline
type: aggregate
short_description: task timings per host for the groundwork benchmark
description: Appends one JSON line per task start and end to the file named by BENCH_ANSIBLE_LOG.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.path = os.environ.get("BENCH_ANSIBLE_LOG")
        self.starts = {}
        self.play = None

    def _emit(self, record):
        if not self.path:
            return
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record) + "\n")

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()
        self._emit({"event": "play", "play": self.play, "at": time.time()})

    def v2_runner_on_start(self, host, task):
        self.starts[(host.get_name(), task._uuid)] = time.time()

    def _done(self, result, status):
        host, task = result._host.get_name(), result._task
        start = self.starts.pop((host, task._uuid), None)
        record = {"event": "task", "play": self.play, "host": host, "task": task.get_name(),
                  "action": task.action, "start": start, "end": time.time(), "status": status}
        if isinstance(result._result.get("duration"), (int, float)):
            record["module_duration"] = result._result["duration"]  # groundwork.terraform.unit reports it
        self._emit(record)

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._done(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._emit({"event": "end", "at": time.time()})
