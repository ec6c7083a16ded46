"""Inits that share a plugin cache run one at a time; an init needed now goes before inits ahead of need."""
from __future__ import annotations

import threading
import time

from ansible_collections.groundwork.terraform.plugins.module_utils.unit import _plugin_cache_lock


def _enter_in_thread(cache, background, got, name):
    def work():
        with _plugin_cache_lock(str(cache), background=background):
            got.append(name)
            time.sleep(0.1)
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_an_init_needed_now_goes_before_one_ahead_of_need_that_queued_first(tmp_path):
    got = []
    with _plugin_cache_lock(str(tmp_path)):  # a unit's init is running
        ahead = _enter_in_thread(tmp_path, True, got, "ahead")  # a waiting unit's init queues first
        time.sleep(0.2)
        now = _enter_in_thread(tmp_path, False, got, "now")  # then a unit whose dependencies just finished
        time.sleep(0.2)
        assert got == []  # both wait for the running init
    now.join(5)
    ahead.join(5)
    assert got == ["now", "ahead"]


def test_inits_ahead_of_need_run_one_at_a_time_when_nothing_is_needed_now(tmp_path):
    got = []
    started = time.monotonic()
    threads = [_enter_in_thread(tmp_path, True, got, name) for name in ("a", "b")]
    for thread in threads:
        thread.join(5)
    assert sorted(got) == ["a", "b"]
    assert 0.2 <= time.monotonic() - started < 2  # serialised, never stuck


def test_no_cache_dir_means_no_lock(tmp_path):
    with _plugin_cache_lock(None, background=True) as lock:
        assert lock.handle is None and lock.gate is None
