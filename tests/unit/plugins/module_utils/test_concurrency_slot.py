"""ConcurrencySlot: at most `limit` holders across processes (flock), and a wait that can give up."""
from __future__ import annotations

import multiprocessing
import time

from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import ConcurrencySlot


def _hold(directory, started, release):
    with ConcurrencySlot(directory, "g", 1):
        started.set()
        release.wait(10)


def test_a_full_group_makes_the_next_holder_wait_until_a_slot_frees(tmp_path):
    started, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(str(tmp_path), started, release))
    holder.start()
    try:
        assert started.wait(10)
        begun = time.monotonic()
        with ConcurrencySlot(str(tmp_path), "g", 1, poll=0.01, give_up=lambda: time.monotonic() - begun > 0.3) as slot:
            assert not slot.acquired  # gave up: the other process still holds the only slot
        assert time.monotonic() - begun >= 0.3
        release.set()
        holder.join(10)
        with ConcurrencySlot(str(tmp_path), "g", 1, poll=0.01, give_up=lambda: True) as slot:
            assert slot.acquired  # a free slot is taken before give_up is asked
    finally:
        release.set()
        holder.join(10)


def test_slots_of_one_group_are_limit_wide(tmp_path):
    with ConcurrencySlot(str(tmp_path), "g", 2) as first, ConcurrencySlot(str(tmp_path), "g", 2) as second:
        assert first.acquired and second.acquired
        with ConcurrencySlot(str(tmp_path), "g", 2, poll=0.01, give_up=lambda: True) as third:
            assert not third.acquired
        with ConcurrencySlot(str(tmp_path), "other", 1, poll=0.01, give_up=lambda: True) as elsewhere:
            assert elsewhere.acquired
