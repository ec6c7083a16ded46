#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: stack_graph
short_description: Order the Terraform units of a stack by their dependencies
version_added: 0.1.0
description:
  - Computes, from each unit's dependencies, the order in which a stack deploys, the groups
    (layers) of units that can run together, the reverse groups for destroy, and Mermaid and
    Graphviz DOT renderings of the graph.
  - Refuses, with one message, a dependency on a unit that does not exist (suggesting close
    names), a dependency cycle (named as C(a -> b -> c -> a)), and two units sharing one state key.
  - The Ansible counterpart of C(terragrunt graph-dependencies) and of the ordering behind
    C(terragrunt run-all). Pure computation on the controller; it reads and changes nothing.
  - Arrows in C(mermaid) and C(dot) point from a unit to the units it depends on.
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Changes nothing in any mode, so check mode returns the same result.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
options:
  units:
    description:
      - The units of the stack, in either of two shapes.
      - A mapping of unit name to its list of dependencies, or to a mapping with keys
        C(dependencies) (list of unit names) and C(state_key) (the unit's backend key).
      - A list of mappings with keys C(name), C(dependencies) and C(state_key), which is what a
        loop over inventory hosts builds most easily.
      - When C(state_key) is given for units, two units with the same key are refused.
    type: raw
    required: true
  reverse:
    description:
      - Return RV(order) and RV(layers) in destroy order (dependents before their dependencies).
      - RV(reverse_layers) is returned either way.
    type: bool
    default: false
  limit:
    description:
      - Only these units (as with C(--limit)). Dependencies outside the subset are left out of the
        order and reported in RV(external_dependencies); their outputs come from remote state.
      - Every name must be a unit of the stack.
    type: list
    elements: str
notes:
  - Ties are broken alphabetically, so the same stack always yields the same order and diagrams.
seealso:
  - module: groundwork.terraform.unit
"""

EXAMPLES = r"""
- name: Order a stack given as unit -> dependencies
  groundwork.terraform.stack_graph:
    units:
      network: []
      database: [network]
      app: [network, database]
  register: stack

- name: Build the graph from the inventory (every host of terraform_units)
  groundwork.terraform.stack_graph:
    units: >-
      {{ dict(groups['terraform_units']
              | zip(groups['terraform_units'] | map('extract', hostvars)
                    | map(attribute='unit_dependencies', default=[]))) }}
  run_once: true
  delegate_to: localhost
  register: stack

- name: Destroy order, refusing units that share a state key
  groundwork.terraform.stack_graph:
    units:
      - name: network
        state_key: dev/us-east-1/network/terraform.tfstate
      - name: app
        dependencies: [network]
        state_key: dev/us-east-1/app/terraform.tfstate
    reverse: true
  register: destroy_plan

- name: Show which units can run together
  ansible.builtin.debug:
    msg: "{{ stack.layers }}"
"""

RETURN = r"""
order:
  description: Every unit once, dependencies first (destroy order with O(reverse=true)).
  returned: success
  type: list
  elements: str
  sample: [network, database, app]
layers:
  description:
    - Groups of units that can run together, in order (the destroy groups with O(reverse=true)).
  returned: success
  type: list
  elements: list
  sample: [[network], [database], [app]]
reverse_layers:
  description:
    - Groups for destroy; a unit is in the first group in which nothing left depends on it.
  returned: success
  type: list
  elements: list
  sample: [[app], [database], [network]]
units:
  description: Each unit with the sorted list of its direct dependencies (within O(limit), if given).
  returned: success
  type: dict
  sample: {network: [], database: [network], app: [database, network]}
dependents:
  description: Each unit with every unit depending on it, directly or not, sorted.
  returned: success
  type: dict
  sample: {network: [app, database], database: [app], app: []}
dependencies:
  description: Each unit with every unit it depends on, directly or not, sorted.
  returned: success
  type: dict
  sample: {network: [], database: [network], app: [database, network]}
external_dependencies:
  description: With O(limit), each selected unit with its dependencies outside the subset.
  returned: success
  type: dict
  sample: {app: [network]}
mermaid:
  description: The graph as a Mermaid flowchart.
  returned: success
  type: str
  sample: "flowchart BT\n  u_network[\"network\"]\n  u_app[\"app\"]\n  u_app --> u_network\n"
dot:
  description: The graph in Graphviz DOT, one rank per layer.
  returned: success
  type: str
  sample: "digraph stack {\n  \"app\" -> \"network\";\n}\n"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.graph import (
    StackGraph, check_unique_state_keys, units_from_spec)


def describe(params):
    dependencies, state_keys = units_from_spec(params["units"])
    graph = StackGraph(dependencies)
    check_unique_state_keys(state_keys)
    external = {}
    if params["limit"] is not None:
        graph = graph.subgraph(params["limit"])
        external = graph.external_dependencies
    names = graph.order()
    reverse_layers = graph.reverse_layers()
    layers = reverse_layers if params["reverse"] else graph.layers()
    return dict(
        changed=False,
        order=[name for layer in reverse_layers for name in layer] if params["reverse"] else names,
        layers=layers,
        reverse_layers=reverse_layers,
        units=graph.units,
        dependents={name: graph.dependents(name) for name in names},
        dependencies={name: graph.dependencies(name) for name in names},
        external_dependencies=external,
        mermaid=graph.to_mermaid(),
        dot=graph.to_dot(),
    )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            units=dict(type="raw", required=True),
            reverse=dict(type="bool", default=False),
            limit=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    try:
        result = describe(module.params)
    except GroundworkError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
