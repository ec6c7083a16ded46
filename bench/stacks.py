"""Generated benchmark stacks: shapes, per-unit latency, and the inventories deploy.yml reads.

Every unit runs tests/fixtures/modules/data_chain; its ``delay`` input makes the create of a
``terraform_data`` resource sleep that long, standing in for cloud latency. Dependencies pass
values through ``dependency.<unit>.name``, so a deploy really reads its dependencies' outputs
from state. The baselines (shell loop, community.general.terraform) get the same values
precomputed: the output ``name`` of a unit is its own name.
"""
from __future__ import annotations

import json
import os
import random

SHAPES = ("chain", "wide", "diamond", "uneven")
SLOW_DELAY = 10


def _name(index):
    return "u%03d" % index


def chain(n):
    return {_name(i): [_name(i - 1)] if i else [] for i in range(n)}


def wide(n):
    return {_name(i): [] for i in range(n)}


def diamond(n):
    """Layers 1, w, 1, w, ...: each single unit fans out to w units that fan back in to the next single."""
    diamonds = 2 if n <= 10 else 3 if n <= 30 else 4
    width = max(1, n // diamonds - 1)
    units, index, previous = {}, 0, []
    while index < n:
        single = _name(index)
        units[single] = list(previous)
        index += 1
        fan = []
        for _ in range(min(width, n - index)):
            units[_name(index)] = [single]
            fan.append(_name(index))
            index += 1
        previous = fan or [single]
    return units


def uneven(n, seed=7):
    """A layered random DAG; one slow unit in the second layer has a single dependent at the end.

    The fast units' chains run past the slow unit: a scheduler that waits for whole levels
    loses the slow unit's time once per level, one that starts each unit when its own
    dependencies finish does not.
    """
    rng = random.Random(seed + n)
    depth = 5 if n <= 10 else 6 if n <= 30 else 8
    layers = [[] for _ in range(depth)]
    names = [_name(i) for i in range(n)]
    for i, name in enumerate(names):
        layers[i * depth // n].append(name)
    units = {}
    for level, layer in enumerate(layers):
        for name in layer:
            if level == 0:
                units[name] = []
                continue
            below = layers[level - 1]
            picks = rng.sample(below, min(len(below), rng.choice((1, 1, 2, 3))))
            units[name] = sorted(picks)
    slow = layers[1][-1]
    # nothing but the last unit waits for the slow one
    for name in units:
        if slow in units[name]:
            units[name].remove(slow)
            if not units[name]:
                units[name] = [rng.choice([u for u in layers[1] if u != slow] or layers[0])]
    last = layers[-1][-1]
    units[last] = sorted(set(units[last]) | {slow})
    return units, slow


def build(shape, n, slow_delay=SLOW_DELAY, seed=7):
    """(units {name: [deps]}, delays {name: seconds}) for one shape and size."""
    rng = random.Random(seed * 1000 + n + SHAPES.index(shape))
    slow = None
    if shape == "uneven":
        units, slow = uneven(n, seed)
    else:
        units = {"chain": chain, "wide": wide, "diamond": diamond}[shape](n)
    delays = {name: rng.choice((1, 2, 3)) for name in units}
    if slow:
        delays[slow] = slow_delay
    return units, delays


def width(units):
    """Most units that can run at once (the largest layer of the graph)."""
    level = {}
    for name in _topo(units):
        level[name] = 1 + max((level[d] for d in units[name]), default=-1)
    counts = {}
    for value in level.values():
        counts[value] = counts.get(value, 0) + 1
    return max(counts.values())


def _topo(units):
    done, order = set(), []
    while len(order) < len(units):
        for name in sorted(units):
            if name not in done and all(d in done for d in units[name]):
                done.add(name)
                order.append(name)
    return order


def topo_order(units):
    return _topo(units)


def unit_inputs(name, deps, delay):
    """What a baseline passes to terraform: the values a deploy templates from dependency outputs."""
    return {"name": name, "upstream": sorted(deps), "delay": str(delay)}


def write_inventory(path, env_name, units, delays, settings, module="data_chain"):
    """An inventory directory for deploy.yml: hosts.yml and group_vars/all.yml (JSON is valid YAML)."""
    os.makedirs(os.path.join(path, "group_vars"), exist_ok=True)
    hosts = {}
    for name, deps in units.items():
        host = {"unit_module": module,
                "unit_inputs": {"name": name, "delay": str(delays[name]),
                                "upstream": ["{{ dependency.%s.name }}" % d for d in sorted(deps)]}}
        if deps:
            host["unit_dependencies"] = sorted(deps)
        hosts[name] = host
    inventory = {"all": {"children": {"terraform_units": {"hosts": hosts}}}}
    with open(os.path.join(path, "hosts.yml"), "w") as handle:
        json.dump(inventory, handle, indent=1, sort_keys=True)
    group_vars = dict(settings, env_name=env_name)
    with open(os.path.join(path, "group_vars", "all.yml"), "w") as handle:
        json.dump(group_vars, handle, indent=1, sort_keys=True)
    return path
