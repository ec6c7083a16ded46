# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's dependency graph: units and the units each one depends on.

Every answer is deterministic (ties broken alphabetically) so plans, logs and tests read the
same on every run. Arrows in messages and diagrams point from a unit to what it depends on:
``app -> network`` means app depends on network, so a cycle reads ``a -> b -> c -> a``.
"""
from __future__ import annotations

import difflib
import heapq
import re

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GraphError


class StackGraph:
    """Validated DAG of units. ``units`` maps each unit name to the names it depends on."""

    def __init__(self, units):
        if not isinstance(units, dict):
            raise GraphError("units must be a mapping of unit name to its list of dependencies, got %s"
                             % type(units).__name__)
        self._deps = {}
        self.external_dependencies = {}  # set by subgraph(): unit -> dependencies left outside
        for name, deps in units.items():
            if not isinstance(name, str) or not name:
                raise GraphError("unit names must be non-empty strings, got %r" % (name,))
            if deps is None:
                deps = []
            if isinstance(deps, str) or not isinstance(deps, (list, tuple, set, frozenset)):
                raise GraphError("dependencies of unit '%s' must be a list of unit names, got %r" % (name, deps))
            for dep in deps:
                if not isinstance(dep, str) or not dep:
                    raise GraphError("unit '%s' lists a dependency that is not a unit name: %r" % (name, dep))
            self._deps[name] = frozenset(deps)
        self._check_unknown()
        self._dependents = {name: set() for name in self._deps}
        for name, deps in self._deps.items():
            for dep in deps:
                self._dependents[dep].add(name)
        self._check_cycles()
        self._order = self._topological_order()

    # ---- validation --------------------------------------------------------------------------

    def _check_unknown(self):
        problems = []
        for name in sorted(self._deps):
            for dep in sorted(self._deps[name] - set(self._deps)):
                close = difflib.get_close_matches(dep, sorted(self._deps), n=3, cutoff=0.6)
                hint = " (did you mean %s?)" % " or ".join("'%s'" % c for c in close) if close else ""
                problems.append("unit '%s' depends on '%s', which is not a unit of this stack%s"
                                % (name, dep, hint))
        if problems:
            raise GraphError("unknown dependency: " + "; ".join(problems)
                             + "; fix unit_dependencies or add the missing unit to the inventory",
                             unknown=problems)

    def _check_cycles(self):
        cycles = [self._cycle_in(component) for component in self._strongly_connected()
                  if len(component) > 1 or next(iter(component)) in self._deps[next(iter(component))]]
        if cycles:
            cycles.sort()
            text = "; ".join(" -> ".join(cycle + [cycle[0]]) for cycle in cycles)
            raise GraphError("dependency cycle: %s (each unit depends on the next); remove one of these "
                             "dependencies" % text, cycles=[cycle + [cycle[0]] for cycle in cycles])

    def _strongly_connected(self):
        # Tarjan's algorithm, iterative so deep stacks do not hit the recursion limit.
        index, low, on_stack, stack, result = {}, {}, set(), [], []
        counter = 0
        for root in sorted(self._deps):
            if root in index:
                continue
            work = [(root, iter(sorted(self._deps[root])))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(self._deps[child]))))
                        advanced = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    result.append(component)
        return result

    def _cycle_in(self, component):
        """Shortest cycle through the alphabetically first unit of a strongly connected component."""
        start = min(component)
        previous = {}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                for dep in sorted(self._deps[node]):
                    if dep not in component:
                        continue
                    if dep == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return list(reversed(path))
                    if dep not in previous:
                        previous[dep] = node
                        following.append(dep)
            frontier = following
        return [start]  # unreachable for a real component

    def _topological_order(self):
        remaining = {name: len(deps) for name, deps in self._deps.items()}
        ready = [name for name, count in remaining.items() if count == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            name = heapq.heappop(ready)
            order.append(name)
            for dependent in self._dependents[name]:
                remaining[dependent] -= 1
                if remaining[dependent] == 0:
                    heapq.heappush(ready, dependent)
        return order

    def _known(self, name):
        if name not in self._deps:
            close = difflib.get_close_matches(str(name), sorted(self._deps), n=3, cutoff=0.6)
            hint = " (did you mean %s?)" % " or ".join("'%s'" % c for c in close) if close else ""
            raise GraphError("'%s' is not a unit of this stack%s" % (name, hint))
        return name

    # ---- queries -----------------------------------------------------------------------------

    @property
    def units(self):
        """unit -> sorted list of its direct dependencies."""
        return {name: sorted(self._deps[name]) for name in self._order}

    def __contains__(self, name):
        return name in self._deps

    def __len__(self):
        return len(self._deps)

    def order(self):
        """Topological order, dependencies first; among units ready together, alphabetical."""
        return list(self._order)

    def _waves(self, edges_of, counts):
        remaining = dict(counts)
        wave = sorted(name for name, count in remaining.items() if count == 0)
        layers = []
        while wave:
            layers.append(wave)
            following = set()
            for name in wave:
                for other in edges_of[name]:
                    remaining[other] -= 1
                    if remaining[other] == 0:
                        following.add(other)
            wave = sorted(following)
        return layers

    def layers(self):
        """Groups of units that can run together, in deploy order."""
        return self._waves(self._dependents, {n: len(d) for n, d in self._deps.items()})

    def reverse_layers(self):
        """Groups for destroy: a unit goes as soon as everything depending on it is gone.

        Computed on the reversed graph rather than by reversing ``layers()``, so an independent
        unit is destroyed in the first group instead of waiting for the deepest chain.
        """
        return self._waves(self._deps, {n: len(d) for n, d in self._dependents.items()})

    def _closure(self, start, edges):
        seen, todo = set(), list(edges[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(edges[name])
        return sorted(seen)

    def dependencies(self, name):
        """Every unit ``name`` depends on, directly or not, sorted."""
        return self._closure(self._known(name), self._deps)

    def dependents(self, name):
        """Every unit depending on ``name``, directly or not, sorted."""
        return self._closure(self._known(name), self._dependents)

    def ready(self, done, running=(), failed=()):
        """Units that may start now: not started, and every dependency succeeded (in ``done``)."""
        done, running, failed = set(done), set(running), set(failed)
        started = done | running | failed
        return [name for name in self._order
                if name not in started and self._deps[name] <= done]

    def blocked_by_failure(self, failed):
        """unit -> the failed unit it waits for, for every transitive dependent of a failed unit.

        A unit behind several failures names the first failed unit in deploy order.
        """
        failed = [self._known(name) for name in failed]
        position = {name: i for i, name in enumerate(self._order)}
        blocked = {}
        for culprit in sorted(set(failed), key=position.get):
            for name in self.dependents(culprit):
                if name not in failed and name not in blocked:
                    blocked[name] = culprit
        return {name: blocked[name] for name in sorted(blocked, key=position.get)}

    def subgraph(self, names):
        """The graph of ``names`` only; dependencies outside it are kept in ``external_dependencies``.

        Used for ``--limit``: units outside the subset are not run, their outputs come from state.
        """
        chosen = set(self._known(name) for name in names)
        sub = StackGraph({name: sorted(self._deps[name] & chosen) for name in chosen})
        sub.external_dependencies = {name: sorted(self._deps[name] - chosen)
                                     for name in sub.order() if self._deps[name] - chosen}
        return sub

    def critical_path(self, weights):
        """(total weight, units) of the heaviest dependency chain, in deploy order.

        ``weights`` maps unit -> duration; a unit missing from it weighs 0.
        """
        for name, weight in weights.items():
            self._known(name)
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
                raise GraphError("weight of unit '%s' must be a number >= 0, got %r" % (name, weight))
        best, via = {}, {}
        for name in self._order:
            previous = None
            for dep in sorted(self._deps[name]):
                if previous is None or best[dep] > best[previous]:
                    previous = dep
            best[name] = float(weights.get(name, 0)) + (best[previous] if previous is not None else 0.0)
            via[name] = previous
        if not best:
            return 0.0, []
        # Among equally heavy chains take the one ending last in deploy order: it runs to a leaf.
        end = None
        for name in self._order:
            if end is None or best[name] >= best[end]:
                end = name
        path = [end]
        while via[path[-1]] is not None:
            path.append(via[path[-1]])
        return best[end], list(reversed(path))

    def slack(self, weights, reverse=False):
        """unit -> seconds it can start late without delaying the run, from ``weights``
        (unit -> expected seconds; a unit missing from it weighs 0).

        The heaviest chain through a unit against the heaviest chain of the graph: 0 on the
        critical path. With ``reverse`` (destroy), of the reversed graph.
        """
        deps = self._dependents if reverse else self._deps
        cost = {name: float(weights.get(name) or 0) for name in self._deps}
        before = {}  # heaviest chain ending just before it
        for name in (reversed(self._order) if reverse else self._order):
            before[name] = max((before[d] + cost[d] for d in deps[name]), default=0.0)
        behind = self._heaviest_behind(cost, reverse)
        longest = max(behind.values(), default=0.0)
        return {name: max(0.0, longest - before[name] - behind[name]) for name in self._deps}

    def _heaviest_behind(self, cost, reverse=False):
        """unit -> its cost plus the heaviest chain of units waiting for it (``reverse``: of the
        reversed graph, where a unit waits for its dependents)."""
        dependents = self._deps if reverse else self._dependents
        behind = {}
        for name in (self._order if reverse else reversed(self._order)):
            behind[name] = cost[name] + max((behind[d] for d in dependents[name]), default=0.0)
        return behind

    def schedule(self, workers=None, weights=None, reverse=False):
        """The order in which ``workers`` slots would start the units: a list schedule.

        Ansible's free strategy hands the next host of the play to the first free fork, and a
        unit waiting for its dependencies holds that fork. So the host order should be the
        order units really become startable: this simulates ``workers`` slots running the
        graph with ``weights`` (unit -> expected seconds, e.g. the last run's; 1 for a unit
        without one) and, whenever a slot is free, starts the ready unit with the heaviest
        chain still behind it (the critical path first). Equal chains (a first run weighs
        every unit 1) go to the unit more units wait for, directly or not, then alphabetically.
        Always a topological order; with ``reverse`` (destroy) one of the reversed graph.
        """
        deps, dependents = (self._dependents, self._deps) if reverse else (self._deps, self._dependents)
        weights = weights or {}
        cost = {name: float(weights.get(name) or 0) or 1.0 for name in self._deps}
        behind = self._heaviest_behind(cost, reverse)
        waited_for = {name: len(self._closure(name, dependents)) for name in self._deps}

        def priority(name):
            return (-behind[name], -waited_for[name], name)

        slots = max(1, min(int(workers or len(self._deps)), len(self._deps) or 1))
        waiting = {name: len(deps[name]) for name in self._deps}
        ready = [priority(name) for name, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        running, order, now = [], [], 0.0
        while ready or running:
            while ready and len(running) < slots:
                name = heapq.heappop(ready)[-1]
                order.append(name)
                heapq.heappush(running, (now + cost[name], name))
            now, name = heapq.heappop(running)
            for dependent in sorted(dependents[name]):
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    heapq.heappush(ready, priority(dependent))
        return order

    # ---- rendering ---------------------------------------------------------------------------

    def to_mermaid(self):
        """Mermaid flowchart drawn bottom-up, so dependencies sit above the units that need them."""
        ids = _node_ids(self._order)
        lines = ["flowchart BT", "  %% arrows point from a unit to the units it depends on"]
        for name in self._order:
            lines.append('  %s["%s"]' % (ids[name], name.replace('"', "#quot;")))
        for name in self._order:
            for dep in sorted(self._deps[name]):
                lines.append("  %s --> %s" % (ids[name], ids[dep]))
        return "\n".join(lines) + "\n"

    def to_dot(self):
        """Graphviz DOT; arrows point from a unit to what it depends on, one rank per layer."""
        def quote(text):
            return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')
        lines = ["digraph stack {", "  // arrows point from a unit to the units it depends on",
                 "  rankdir=BT;", "  node [shape=box];"]
        for layer in self.layers():
            lines.append("  { rank=same; %s }" % " ".join(quote(name) + ";" for name in layer))
        for name in self._order:
            for dep in sorted(self._deps[name]):
                lines.append("  %s -> %s;" % (quote(name), quote(dep)))
        lines.append("}")
        return "\n".join(lines) + "\n"


def _node_ids(names):
    ids, used = {}, set()
    for name in names:
        base = "u_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = "%s_%d" % (base, n)
        used.add(candidate)
        ids[name] = candidate
    return ids


def check_unique_state_keys(keys):
    """Refuse two units that would share one state object. ``keys``: unit -> backend key."""
    by_key = {}
    for unit in sorted(keys):
        key = keys[unit]
        if key is None or key == "":
            continue
        by_key.setdefault(key, []).append(unit)
    clashes = [(key, units) for key, units in sorted(by_key.items()) if len(units) > 1]
    if clashes:
        parts = []
        for key, units in clashes:
            named = ", ".join("'%s'" % u for u in units[:-1]) + " and '%s'" % units[-1]
            parts.append("units %s share state key '%s'" % (named, key))
        raise GraphError("%s; every unit needs its own state key, so they would overwrite each other's "
                         "state: give each a different backend key" % "; ".join(parts),
                         clashes=dict(clashes))


_UNIT_KEYS = ("dependencies", "state_key")


def units_from_spec(spec):
    """Read the two accepted shapes of a units description; return (dependencies, state_keys).

    - mapping: ``{name: [deps]}`` or ``{name: {dependencies: [deps], state_key: key}}``
    - list: ``[{name: n, dependencies: [deps], state_key: key}]`` (what a loop over hosts builds)
    ``state_keys`` holds only the units that name a key.
    """
    entries = []
    if isinstance(spec, dict):
        for name, value in spec.items():
            if value is None or isinstance(value, (list, tuple)):
                entries.append((name, {"dependencies": value}))
            elif isinstance(value, dict):
                entries.append((name, value))
            else:
                raise GraphError("unit '%s' must map to a list of dependencies or to {dependencies, state_key}, "
                                 "got %r" % (name, value))
    elif isinstance(spec, (list, tuple)):
        for position, item in enumerate(spec):
            if not isinstance(item, dict) or not item.get("name"):
                raise GraphError("units[%d] must be a mapping with a 'name' (and optional dependencies, "
                                 "state_key), got %r" % (position, item))
            entries.append((item["name"], {k: v for k, v in item.items() if k != "name"}))
    else:
        raise GraphError("units must be a mapping of unit name to its dependencies, or a list of "
                         "{name, dependencies, state_key}; got %s" % type(spec).__name__)
    dependencies, state_keys = {}, {}
    for name, value in entries:
        if not isinstance(name, str) or not name:
            raise GraphError("unit names must be non-empty strings, got %r" % (name,))
        if name in dependencies:
            raise GraphError("unit '%s' is listed twice; unit names must be unique" % name)
        unknown = sorted(set(value) - set(_UNIT_KEYS))
        if unknown:
            raise GraphError("unit '%s' has unknown key %s (expected: %s)"
                             % (name, ", ".join("'%s'" % k for k in unknown), ", ".join(_UNIT_KEYS)))
        dependencies[name] = value.get("dependencies") or []
        if value.get("state_key") not in (None, ""):
            if not isinstance(value["state_key"], str):
                raise GraphError("state_key of unit '%s' must be a string, got %r" % (name, value["state_key"]))
            state_keys[name] = value["state_key"]
    return dependencies, state_keys
