# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensures every distinct state backend of the units once, on the controller, in-process.

The ``backend`` role (``playbooks/bootstrap.yml``) calls it once (``run_once``): the units'
backends are worked out from their inventory variables here, so the role needs no per-unit
task; ``stack_run`` does the same work for ``deploy.yml`` after validating the whole stack.
"""
from __future__ import annotations

import os

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_backends import (
    SETTING_DEFAULTS, UNIT_VARIABLES, ensure_backends, max_age_seconds, plan_listed_backends, plan_unit_backends)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("units", "backend_list", "state", "profile", "force", "defaults", "recheck",
                             "recheck_after", "marker_dir"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        state = args.get("state") or "present"
        if state not in ("present", "absent"):
            return dict(result, failed=True, msg="stack_backends: state must be present or absent, not %r" % state)
        try:
            defaults = args.get("defaults") or {}
            if not isinstance(defaults, dict) or set(defaults) - set(SETTING_DEFAULTS):
                raise InputError("stack_backends: defaults takes only %s" % ", ".join(sorted(SETTING_DEFAULTS)))
            if args.get("backend_list"):
                plan = plan_listed_backends(args["backend_list"], defaults)
            else:
                units = list(args.get("units") or task_vars["groups"].get("terraform_units", []))
                hostvars = task_vars["hostvars"]
                plan = plan_unit_backends({unit: _variables(hostvars, unit) for unit in units}, defaults)
            if plan["problems"]:
                raise InputError("; ".join(plan["problems"]), problems=plan["problems"])
            marker_dir = args.get("marker_dir") or os.path.join(os.getcwd(), ".groundwork", "backends")
            backends, warnings = ensure_backends(
                plan, state=state, profile=args.get("profile") or None, force=boolean(args.get("force") or False),
                check_mode=bool(self._play_context.check_mode), diff=bool(self._play_context.diff),
                marker_dir=marker_dir, recheck=boolean(args.get("recheck", True)),
                max_age=max_age_seconds(args.get("recheck_after"), "recheck_after"))
        except GroundworkError as exc:
            return dict(result, failed=True, **exc.fail_kwargs())
        except (TypeError, ValueError) as exc:
            return dict(result, failed=True, msg="stack_backends: %s" % exc)
        result.update(
            changed=any(b.get("changed") for b in backends), backends=backends, local_units=plan["local_units"],
            unit_backend_config={unit: backends[i]["backend_config"] for unit, i in plan["units"].items()})
        if warnings:
            result["warnings"] = sorted(set(warnings))
        return result


def _variables(hostvars, unit):
    """Templated values of the variables a unit's backend is made of."""
    host_vars = hostvars[unit]
    found = {}
    for name in UNIT_VARIABLES:
        try:
            found[name] = host_vars.get(name)
        except Exception as exc:  # an undefined variable inside a value
            raise InputError("unit %s: variable %s could not be templated: %s"
                             % (unit, name, " ".join(str(exc).split())[:300]))
    return found
