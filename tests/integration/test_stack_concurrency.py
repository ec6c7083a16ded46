"""Per-group concurrency caps, enforced at run time (issue 4: "at most 2 units at once in one
account" against API rate limits), on a real deploy: ansible-playbook, terraform, moto.

Two accounts, each unit a 6 s terraform_data create: account a caps itself at 2 units at once,
account b has no cap. With forks enough for all seven units, a's units must never overlap more
than 2 (and do reach 2), while b's three run all at once (so the cap, not the forks, held a back).
Intervals come from the run's status files: a unit holds its slot while its terraform runs.
"""
from __future__ import annotations

import pytest

from support.stack_deploy import deploy

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

DELAY = 6


def max_overlap(intervals):
    """Largest number of [start, end) intervals open at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_now = peak = 0
    for _, step in events:  # at equal times -1 sorts first: touching intervals do not overlap
        open_now += step
        peak = max(peak, open_now)
    return peak


def test_max_overlap_counts_only_real_overlaps():
    assert max_overlap([(0, 2), (2, 4), (4, 6)]) == 1
    assert max_overlap([(0, 5), (1, 2), (1.5, 3)]) == 3


def test_a_capped_group_never_runs_more_than_its_limit(local_aws, tmp_path):
    unit = {"unit_module": "data_chain", "unit_inputs": {"name": "{{ inventory_hostname }}", "delay": str(DELAY)}}
    report, records, _ = deploy(tmp_path, local_aws, "caps", {"children": {
        "account_a": {"vars": {"unit_concurrency_group": "account_a", "unit_concurrency_limit": 2},
                      "hosts": {"a%d" % i: unit for i in range(1, 5)}},
        "account_b": {"hosts": {"b%d" % i: unit for i in range(1, 4)}},
    }}, forks=7, timeout=900)

    assert report["counts"]["ok"] == 7, report["counts"]
    spans = {name: (r["finished"] - r["duration"], r["finished"]) for name, r in records.items()}
    assert all(r["duration"] >= DELAY for r in records.values()), {n: r["duration"] for n, r in records.items()}
    capped = max_overlap([spans["a%d" % i] for i in range(1, 5)])
    free = max_overlap([spans["b%d" % i] for i in range(1, 4)])
    assert capped == 2, "account_a (limit 2) ran %d units at once: %s" % (capped, spans)
    assert free == 3, "account_b (no limit) ran only %d at once: forks or load held it back: %s" % (free, spans)
