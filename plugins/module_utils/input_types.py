# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit inputs checked against the module's declared variable types, before terraform runs.

Terraform converts input values the way cty does: a number or bool becomes a string, a
string becomes a number when it is one ("5", "1.5", "-3", "5e2") and a bool only when it is
"true", "false", "1" or "0". Anything else is an "Invalid value for input variable" - but
only once terraform runs, unit by unit, in the middle of a stack. Here the same rules run
offline, so a wrong type is one clear error naming unit, input, expected type and value.

Ansible habits are normalised for bool variables: "yes"/"no"/"on"/"off"/"True"/"False"
become true/false (terraform itself would refuse "yes"); nonsense such as "maybe" is refused.
Values still holding a Jinja template are unknown until the run and are not checked.
"""
from __future__ import annotations

import json
import re

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError

_NUMBER_TEXT = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False,
               "1": True, "0": False}
_TEMPLATE_MARKS = ("{{", "{%")


def parse_type(text):
    """A declared type (``"list(string)"``) as a tree: ("string",), ("list", elem), ("object", [(k, t)]).

    None (no type declared) is ("any",). Raises InputError for text that is not a type.
    The parser is ``hcl.parse_type`` (the collection has one); imported only when a type is
    parsed, since it loads python-hcl2, which warm unit runs skip (types come cached as trees).
    """
    from ansible_collections.groundwork.terraform.plugins.module_utils.hcl import parse_type as hcl_parse_type
    return hcl_parse_type(text)


def describe(node):
    """A type tree back as terraform text, for messages."""
    kind = node[0]
    if kind in ("string", "number", "bool", "any"):
        return kind
    if kind in ("list", "set", "map"):
        return "%s(%s)" % (kind, describe(node[1]))
    if kind == "tuple":
        return "tuple([%s])" % ", ".join(describe(elem) for elem in node[1])
    return "object({%s})" % ", ".join("%s=%s" % (key, describe(elem)) for key, elem in node[1])


def has_template(value):
    """Whether value still holds a Jinja expression (its real value is known only at run time)."""
    if isinstance(value, str):
        return any(mark in value for mark in _TEMPLATE_MARKS)
    if isinstance(value, dict):
        return any(has_template(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_template(v) for v in value)
    return False


def _hidden(value):
    return "(sensitive value)"


def _show(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def convert(value, node, where, sensitive=False):
    """``(converted value, problems)``: value made to fit type ``node`` the way terraform would.

    Only bools are actually rewritten (Ansible spellings to true/false); everything else is
    returned as given, since terraform converts it the same way itself. ``sensitive`` keeps
    the value out of the messages.
    """
    show = _hidden if sensitive else _show
    kind = node[0]
    if value is None or kind == "any" or has_template(value):
        return value, []
    if kind == "string":
        if isinstance(value, (dict, list, tuple)):
            return value, ["%s must be a string, not %s %s" % (where, _kind(value), show(value))]
        return value, []
    if kind == "number":
        if isinstance(value, bool) or not (isinstance(value, (int, float)) or
                                           (isinstance(value, str) and _NUMBER_TEXT.match(value))):
            return value, ["%s must be a number, not %s %s" % (where, _kind(value), show(value))]
        return value, []
    if kind == "bool":
        if isinstance(value, bool):
            return value, []
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()], []
        return value, ["%s must be a boolean (true/false, yes/no), not %s %s" % (where, _kind(value), show(value))]
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, (list, tuple)):
            return value, ["%s must be a %s, not %s %s" % (where, describe(node), _kind(value), show(value))]
        if kind == "tuple" and len(value) != len(node[1]):
            return value, ["%s must be a %s of %d elements, not %d" % (where, describe(node), len(node[1]), len(value))]
        out, problems = [], []
        for index, item in enumerate(value):
            elem = node[1][index] if kind == "tuple" else node[1]
            converted, found = convert(item, elem, "%s[%d]" % (where, index), sensitive)
            out.append(converted)
            problems.extend(found)
        return out, problems
    if not isinstance(value, dict):  # map or object
        return value, ["%s must be a %s, not %s %s" % (where, describe(node), _kind(value), show(value))]
    out, problems = dict(value), []
    attrs = dict(node[1]) if kind == "object" else None
    for key, item in value.items():
        elem = node[1] if kind == "map" else attrs.get(key)
        if elem is None:  # terraform drops attributes an object type does not declare
            continue
        out[key], found = convert(item, elem, "%s.%s" % (where, key), sensitive)
        problems.extend(found)
    return out, problems


def _kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def type_tree(text):
    """The parsed type as plain lists (JSON-able, for a cache); None for text that is not a type."""
    try:
        return json.loads(json.dumps(parse_type(text)))
    except InputError:
        return None


def _facts(variable):
    """(type tree or None, nullable, sensitive) of an hcl Variable or of a cached facts dict."""
    if isinstance(variable, dict):
        return variable.get("type_tree"), variable.get("nullable", True), bool(variable.get("sensitive"))
    try:
        tree = parse_type(variable.type)
    except InputError:
        tree = None  # a type we cannot read: terraform will judge
    return tree, getattr(variable, "nullable", True), bool(getattr(variable, "sensitive", False))


def check_inputs(inputs, variables):
    """``(normalised inputs, problems)`` for ``inputs`` against variables by name.

    ``variables`` maps names to hcl Variables, or to dicts with ``type_tree``, ``nullable`` and
    ``sensitive`` (the unit's cached module facts). Unknown names are left to the caller (it
    reports them with the declared list).
    """
    normalised, problems = {}, []
    for name, value in (inputs or {}).items():
        variable = variables.get(name)
        if variable is None:
            normalised[name] = value
            continue
        tree, nullable, sensitive = _facts(variable)
        if value is None and not nullable:
            problems.append("input %s must not be null (the variable is declared nullable = false)" % name)
            normalised[name] = value
            continue
        if tree is None:
            normalised[name] = value
            continue
        normalised[name], found = convert(value, tree, "input %s" % name, sensitive)
        problems.extend(found)
    return normalised, problems
