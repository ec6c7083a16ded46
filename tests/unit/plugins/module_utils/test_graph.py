from __future__ import annotations

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GraphError
from ansible_collections.groundwork.terraform.plugins.module_utils.graph import (
    StackGraph, check_unique_state_keys, units_from_spec)

# network <- db, cache; iam; app <- db, iam, network; monitoring <- app.
# db and app form a diamond over network (network -> db -> app and network -> app).
PLATFORM = {
    "network": [],
    "iam": [],
    "db": ["network"],
    "cache": ["network"],
    "app": ["db", "iam", "network"],
    "monitoring": ["app"],
}

DIAMOND = {"top": [], "left": ["top"], "right": ["top"], "bottom": ["left", "right"]}


@pytest.fixture
def platform():
    return StackGraph(PLATFORM)


@pytest.mark.parametrize("units, message", [
    ({"a": ["b"], "b": ["c"], "c": ["a"]},
     "dependency cycle: a -> b -> c -> a (each unit depends on the next)"),
    # Same cycle declared in another order names it the same way: starts at the first name.
    ({"c": ["a"], "b": ["c"], "a": ["b"]},
     "dependency cycle: a -> b -> c -> a (each unit depends on the next)"),
    ({"a": ["a"]}, "dependency cycle: a -> a "),
    ({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": ["a"]},
     "dependency cycle: a -> b -> a; c -> d -> c "),
    # Shortest loop through the first unit, not some longer walk around the component.
    ({"a": ["b", "c"], "b": ["a"], "c": ["b"]}, "dependency cycle: a -> b -> a "),
    ({"app": ["netwrk"], "network": []},
     "unknown dependency: unit 'app' depends on 'netwrk', which is not a unit of this stack "
     "(did you mean 'network'?)"),
    ({"app": ["zzz"], "network": []},
     "unknown dependency: unit 'app' depends on 'zzz', which is not a unit of this stack; fix"),
    ({"a": ["x"], "b": ["y"]},
     "unit 'a' depends on 'x', which is not a unit of this stack; unit 'b' depends on 'y'"),
    ({"a": "b"}, "dependencies of unit 'a' must be a list of unit names, got 'b'"),
    ({"a": [3]}, "unit 'a' lists a dependency that is not a unit name: 3"),
    ({"": []}, "unit names must be non-empty strings"),
])
def test_invalid_graphs_are_refused_with_one_clear_message(units, message):
    with pytest.raises(GraphError) as caught:
        StackGraph(units)
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_cycle_error_carries_the_cycle_as_data():
    with pytest.raises(GraphError) as caught:
        StackGraph({"a": ["b"], "b": ["a"]})
    assert caught.value.fail_kwargs()["cycles"] == [["a", "b", "a"]]


def test_order_puts_dependencies_first_with_alphabetical_ties(platform):
    assert platform.order() == ["iam", "network", "cache", "db", "app", "monitoring"]


def test_diamond_layers_and_reverse_layers():
    graph = StackGraph(DIAMOND)
    assert graph.layers() == [["top"], ["left", "right"], ["bottom"]]
    assert graph.reverse_layers() == [["bottom"], ["left", "right"], ["top"]]
    assert graph.dependencies("bottom") == ["left", "right", "top"]
    assert graph.dependents("top") == ["bottom", "left", "right"]


def test_layers_group_units_that_can_run_together(platform):
    assert platform.layers() == [["iam", "network"], ["cache", "db"], ["app"], ["monitoring"]]


def test_reverse_layers_destroy_independent_units_early(platform):
    # cache depends on network but nothing depends on cache: it goes in the first destroy group.
    assert platform.reverse_layers() == [["cache", "monitoring"], ["app"], ["db", "iam"], ["network"]]


def test_transitive_dependents_and_dependencies(platform):
    assert platform.dependents("network") == ["app", "cache", "db", "monitoring"]
    assert platform.dependencies("monitoring") == ["app", "db", "iam", "network"]
    assert platform.dependents("monitoring") == []


def test_unknown_unit_in_query_suggests_a_close_name(platform):
    with pytest.raises(GraphError, match=r"'netwrk' is not a unit of this stack \(did you mean 'network'\?\)"):
        platform.dependents("netwrk")


def test_ready_set_starts_a_unit_as_soon_as_its_own_dependencies_finished(platform):
    assert platform.ready(done=set(), running=set(), failed=set()) == ["iam", "network"]
    # db may start while iam still runs: no waiting for the whole first layer.
    assert platform.ready(done={"network"}, running={"iam"}, failed=set()) == ["cache", "db"]
    assert platform.ready(done={"network", "db"}, running={"iam", "cache"}, failed=set()) == []
    assert platform.ready(done={"network", "db", "iam"}, running={"cache"}, failed=set()) == ["app"]


def test_ready_set_never_starts_dependents_of_a_failure(platform):
    assert platform.ready(done={"network", "iam"}, running=set(), failed={"db"}) == ["cache"]
    assert platform.ready(done={"network", "iam", "cache"}, running=set(), failed={"db"}) == []


def test_failure_blocks_only_its_transitive_dependents(platform):
    assert platform.blocked_by_failure({"db"}) == {"app": "db", "monitoring": "db"}
    assert platform.blocked_by_failure({"cache"}) == {}
    # Behind two failures a unit names the first in deploy order.
    assert platform.blocked_by_failure({"iam", "db"}) == {"app": "iam", "monitoring": "iam"}
    assert platform.blocked_by_failure({"network"}) == {
        "cache": "network", "db": "network", "app": "network", "monitoring": "network"}


def test_subgraph_keeps_outside_dependencies_apart(platform):
    sub = platform.subgraph(["app", "monitoring", "db"])
    assert sub.order() == ["db", "app", "monitoring"]
    assert sub.units == {"db": [], "app": ["db"], "monitoring": ["app"]}
    assert sub.external_dependencies == {"db": ["network"], "app": ["iam", "network"]}
    with pytest.raises(GraphError, match="'nope' is not a unit"):
        platform.subgraph(["nope"])


def test_critical_path_follows_the_heaviest_chain(platform):
    weights = {"network": 3, "db": 10, "app": 1, "iam": 2, "monitoring": 4, "cache": 1}
    assert platform.critical_path(weights) == (18.0, ["network", "db", "app", "monitoring"])
    # A slow unit with no dependencies can be the whole critical path.
    assert platform.critical_path({"iam": 50, "network": 1}) == (50.0, ["iam", "app", "monitoring"])
    assert StackGraph({}).critical_path({}) == (0.0, [])


def test_slack_is_how_late_a_unit_can_start_without_delaying_the_run(platform):
    weights = {"network": 3, "db": 10, "app": 1, "iam": 2, "monitoring": 4, "cache": 1}
    slack = platform.slack(weights)
    # network > db > app > monitoring (18 s) is the critical path
    assert {u for u, s in slack.items() if s == 0} == {"network", "db", "app", "monitoring"}
    assert slack["iam"] == 18 - (2 + 1 + 4)       # iam > app > monitoring weighs 7
    assert slack["cache"] == 18 - (3 + 1)          # network > cache weighs 4: nothing needs cache
    # destroy runs the reversed graph: the same chains, so the same slack
    assert platform.slack(weights, reverse=True) == slack
    # a unit without a weight weighs 0; no weights at all: every unit is on a 0 s critical path
    assert platform.slack({})["iam"] == 0
    assert StackGraph({}).slack({}) == {}


def test_slack_on_a_diamond_with_one_slow_side():
    slack = StackGraph(DIAMOND).slack({"top": 1, "left": 5, "right": 2, "bottom": 1})
    assert slack == {"top": 0.0, "left": 0.0, "right": 3.0, "bottom": 0.0}
    assert StackGraph(DIAMOND).slack({"top": 1, "left": 5, "right": 2, "bottom": 1}, reverse=True) == slack


@pytest.mark.parametrize("weights, message", [
    ({"db": -1}, "weight of unit 'db' must be a number >= 0, got -1"),
    ({"db": "slow"}, "weight of unit 'db' must be a number >= 0"),
    ({"dbb": 1}, "'dbb' is not a unit of this stack (did you mean 'db'?)"),
])
def test_critical_path_rejects_bad_weights(platform, weights, message):
    with pytest.raises(GraphError) as caught:
        platform.critical_path(weights)
    assert message in caught.value.message


def test_mermaid_lists_every_unit_and_edge(platform):
    text = StackGraph({"net-work": [], "app.v2": ["net-work"], "solo": []}).to_mermaid()
    assert text.splitlines() == [
        "flowchart BT",
        "  %% arrows point from a unit to the units it depends on",
        '  u_net_work["net-work"]',
        '  u_app_v2["app.v2"]',
        '  u_solo["solo"]',
        "  u_app_v2 --> u_net_work",
    ]
    assert platform.to_mermaid() == platform.to_mermaid()


def test_dot_ranks_units_by_layer():
    text = StackGraph(DIAMOND).to_dot()
    assert '  { rank=same; "left"; "right"; }' in text
    assert '  "bottom" -> "left";' in text and '  "bottom" -> "right";' in text
    assert text.startswith("digraph stack {") and text.rstrip().endswith("}")


def test_unique_state_keys_pass():
    check_unique_state_keys({"a": "dev/us-east-1/a/terraform.tfstate", "b": "dev/us-east-1/b/terraform.tfstate"})


@pytest.mark.parametrize("keys, message", [
    ({"a": "k", "b": "k", "c": "other"},
     "units 'a' and 'b' share state key 'k'; every unit needs its own state key"),
    ({"x": "k", "y": "k", "z": "k"}, "units 'x', 'y' and 'z' share state key 'k'"),
    ({"a": "k1", "b": "k1", "c": "k2", "d": "k2"},
     "units 'a' and 'b' share state key 'k1'; units 'c' and 'd' share state key 'k2'"),
])
def test_shared_state_keys_are_refused_naming_both_units(keys, message):
    with pytest.raises(GraphError) as caught:
        check_unique_state_keys(keys)
    assert message in caught.value.message


def test_units_from_spec_reads_both_shapes():
    from_mapping = units_from_spec({"network": [], "app": {"dependencies": ["network"], "state_key": "k/app"},
                                    "db": None})
    assert from_mapping == ({"network": [], "app": ["network"], "db": []}, {"app": "k/app"})
    from_list = units_from_spec([{"name": "network", "state_key": "k/net"},
                                 {"name": "app", "dependencies": ["network"]}])
    assert from_list == ({"network": [], "app": ["network"]}, {"network": "k/net"})


@pytest.mark.parametrize("spec, message", [
    ("network", "units must be a mapping of unit name to its dependencies, or a list"),
    ({"a": "b"}, "unit 'a' must map to a list of dependencies or to {dependencies, state_key}, got 'b'"),
    ({"a": {"dependecies": ["b"]}}, "unit 'a' has unknown key 'dependecies' (expected: dependencies, state_key)"),
    ([{"dependencies": []}], "units[0] must be a mapping with a 'name'"),
    ([{"name": "a"}, {"name": "a"}], "unit 'a' is listed twice; unit names must be unique"),
    ([{"name": "a", "state_key": 3}], "state_key of unit 'a' must be a string, got 3"),
])
def test_units_from_spec_rejects_bad_shapes(spec, message):
    with pytest.raises(GraphError) as caught:
        units_from_spec(spec)
    assert message in caught.value.message


def _free_strategy_makespan(order, deps, seconds, forks):
    """Ansible's free strategy: the next host of the list goes to the first free fork and holds
    it while it waits for its dependencies."""
    finish, forks_free_at = {}, [0.0] * forks
    for name in order:
        slot = min(range(forks), key=forks_free_at.__getitem__)
        start = max([forks_free_at[slot]] + [finish[d] for d in deps[name]])
        finish[name] = forks_free_at[slot] = start + seconds[name]
    return max(finish.values())


def _is_topological(order, deps):
    position = {name: i for i, name in enumerate(order)}
    return sorted(order) == sorted(deps) and all(position[d] < position[n] for n in deps for d in deps[n])


def test_schedule_starts_the_heaviest_chain_first():
    units = {"alone": [], "b": [], "c": ["b"], "d": ["c"]}
    graph = StackGraph(units)
    assert graph.order() == ["alone", "b", "c", "d"]
    assert graph.schedule(workers=1) == ["b", "c", "alone", "d"]  # then equal chains: alphabetical
    # a known slow unit goes first even without a chain behind it
    assert graph.schedule(workers=1, weights={"alone": 30, "b": 1, "c": 1, "d": 1}) == ["alone", "b", "c", "d"]
    # destroy: the reversed graph, d first
    assert graph.schedule(workers=1, reverse=True) == ["d", "c", "alone", "b"]
    assert graph.schedule(workers=None) == ["b", "alone", "c", "d"]


def test_schedule_breaks_equal_chains_by_how_many_units_wait():
    # every chain two units long; z has two units behind it, a and m one each
    units = {"a": [], "m": [], "z": [], "a1": ["a"], "m1": ["m"], "z1": ["z"], "z2": ["z"]}
    graph = StackGraph(units)
    assert graph.schedule(workers=3)[:3] == ["z", "a", "m"]  # then alphabetical
    # indirect dependents count too: b's chain is no longer, but four units wait for it
    units = {"a": [], "b": [], "a1": ["a"], "a2": ["a1"], "b1": ["b"], "b2": ["b1"], "b3": ["b1"], "b4": ["b1"]}
    assert StackGraph(units).schedule()[0] == "b"
    # a known time still comes first: a's chain is heavier by weight
    assert StackGraph(units).schedule(weights={"a": 5})[0] == "a"
    # destroy: a unit's dependencies wait for it, so z (two of them) goes before a (one)
    assert StackGraph({"x": [], "y": [], "a": ["x"], "z": ["x", "y"]}).schedule(reverse=True)[:2] == ["z", "a"]


@pytest.mark.parametrize("seed", range(40))
def test_schedule_is_a_topological_order_and_no_slower_on_average(seed):
    import random
    rng = random.Random(seed)
    names = ["u%02d" % i for i in range(rng.randint(2, 30))]
    units = {name: sorted(rng.sample(names[:i], min(i, rng.choice((0, 1, 1, 2, 3))))) for i, name in enumerate(names)}
    graph = StackGraph(units)
    reverse = {name: sorted(n for n in units if name in units[n]) for name in units}
    forks = rng.randint(1, 6)
    for order in (graph.schedule(workers=forks), graph.schedule(workers=None)):
        assert _is_topological(order, units)
    assert _is_topological(graph.schedule(workers=forks, reverse=True), reverse)


def test_schedule_beats_the_alphabetical_order_across_uneven_stacks():
    """Measured on a model of the free strategy over 120 random layered stacks with one slow unit
    and forks = width: no history (all weights 1) and the last run's times (30 % off) both finish
    sooner on average than the alphabetical topological order."""
    import random
    totals = {"order": 0.0, "schedule": 0.0, "weighted": 0.0}
    for seed in range(120):
        rng = random.Random(seed)
        layers = [["l%dn%d" % (level, i) for i in range(rng.randint(1, 6))] for level in range(rng.randint(3, 6))]
        units = {name: [] for name in layers[0]}
        for below, layer in zip(layers, layers[1:]):
            for name in layer:
                units[name] = rng.sample(below, min(len(below), rng.choice((1, 1, 2, 3))))
        seconds = {name: rng.choice((2.5, 3.5, 4.5)) for name in units}
        seconds[rng.choice(layers[1])] = 11.5
        forks = max(len(layer) for layer in layers)
        graph = StackGraph(units)
        last_run = {name: value * rng.uniform(0.7, 1.3) for name, value in seconds.items()}
        totals["order"] += _free_strategy_makespan(graph.order(), units, seconds, forks)
        totals["schedule"] += _free_strategy_makespan(graph.schedule(forks), units, seconds, forks)
        totals["weighted"] += _free_strategy_makespan(graph.schedule(forks, last_run), units, seconds, forks)
    assert totals["weighted"] < totals["schedule"] < totals["order"], totals
