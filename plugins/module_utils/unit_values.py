# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values out of a unit run: outputs, plan summaries and diffs, secrets masked."""
from __future__ import annotations

SENSITIVE_MASK = "<sensitive>"
UNKNOWN_MASK = "<known after apply>"


def outputs_from_state(state):
    return {name: {"value": out.get("value"), "sensitive": bool(out.get("sensitive"))}
            for name, out in (state or {}).get("outputs", {}).items()}


def mask_outputs(outputs, reveal_sensitive):
    values, sensitive = {}, []
    for name, out in sorted(outputs.items()):
        if out.get("sensitive"):
            sensitive.append(name)
            values[name] = out.get("value") if reveal_sensitive else SENSITIVE_MASK
        else:
            values[name] = out.get("value")
    return values, sensitive


def secret_strings(value):
    """Every string inside value (for no_log_values)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(secret_strings(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(secret_strings(v) for v in value)) if value else set()
    if value is None or isinstance(value, bool):
        return set()
    return {str(value)}


def mask(value, sensitive, unknown=None):
    """Replace sensitive parts (show -json's *_sensitive structure) and unknown parts."""
    if sensitive is True:
        return SENSITIVE_MASK
    if unknown is True:
        return UNKNOWN_MASK
    if isinstance(value, dict):
        keys = set(value) | (set(unknown) if isinstance(unknown, dict) else set())
        return {k: mask(value.get(k), _part(sensitive, k), _part(unknown, k)) for k in sorted(keys)}
    if isinstance(value, list):
        return [mask(v, _part(sensitive, i), _part(unknown, i)) for i, v in enumerate(value)]
    return value


def _part(structure, key):
    if isinstance(structure, dict):
        return structure.get(key)
    if isinstance(structure, list) and isinstance(key, int) and key < len(structure):
        return structure[key]
    return None


def diff_from_plan_json(plan):
    """Ansible diff entries, one per changed resource address, secrets masked."""
    entries = []
    for rc in plan.get("resource_changes", []):
        change = rc.get("change", {})
        actions = change.get("actions", [])
        if actions in (["no-op"], ["read"]):
            continue
        entries.append({
            "before_header": "%s (%s)" % (rc.get("address"), "/".join(actions)),
            "after_header": rc.get("address"),
            "before": mask(change.get("before"), change.get("before_sensitive")) or {},
            "after": mask(change.get("after"), change.get("after_sensitive"), change.get("after_unknown")) or {},
        })
    return entries


def summarize(events, destroy=False):
    """The plan a run reported (a plan run, or the plan phase of an apply without a saved plan)."""
    changes = [rc for rc in events.resource_changes if rc["actions"] not in (["no-op"], ["read"])]
    summary = events.plan_summary or {}
    return {
        "add": summary.get("add", sum(1 for c in changes if "create" in c["actions"])),
        "change": summary.get("change", sum(1 for c in changes if c["actions"] == ["update"])),
        "destroy": summary.get("remove", sum(1 for c in changes if "delete" in c["actions"])),
        "import": summary.get("import", 0),
        "resource_changes": changes,
        "output_changes": sorted(name for name, out in (events.planned_outputs or {}).items()
                                 if out.get("action") not in (None, "noop")),
        "drift": events.drift,
        "destroy_plan": destroy,
    }
