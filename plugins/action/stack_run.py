# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans a stack run once, before any unit runs: resolve, validate, order, record.

Reads every unit's merged inventory variables, resolves them (module_utils/stack_config),
validates the whole stack offline (modules exist, inputs are declared variables, required
variables are given, dependency.X.Y names a real output of X's module, no cycle, no shared
state key) and writes the run manifest the units' ``stack_unit`` tasks work from.
"""
from __future__ import annotations

import os
import time
import uuid

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.groundwork.terraform.plugins.module_utils import hcl
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, GroundworkError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.graph import StackGraph, check_unique_state_keys
from ansible_collections.groundwork.terraform.plugins.module_utils.input_types import check_inputs
from ansible_collections.groundwork.terraform.plugins.module_utils.preflight import check_backends
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_backends import (
    UNIT_VARIABLES, ensure_backends, max_age_seconds, plan_unit_backends)
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_config import (
    dependency_references, resolve_unit)
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import (
    RunDir, hold_back_limits, marked_at_start, previous_durations, run_dir_name, with_inventory)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("mode", "units", "all_units", "project_dir", "run_root", "confirm_destroy", "bootstrap",
                             "backend_recheck", "backend_recheck_after"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        mode = args.get("mode", "deploy")
        if mode not in ("deploy", "plan", "destroy", "validate"):
            return dict(result, failed=True, msg="stack_run: mode must be deploy, plan, destroy or validate")
        hostvars = task_vars["hostvars"]
        all_units = list(args.get("all_units") or task_vars["groups"].get("terraform_units", []))
        in_run = list(args.get("units") or all_units)
        if not all_units:
            return dict(result, failed=True, msg="the inventory has no hosts in group terraform_units: every "
                        "Terraform unit is a host of that group")
        project_dir = os.path.abspath(args.get("project_dir") or os.getcwd())
        bootstrap = mode == "deploy" and boolean(args.get("bootstrap") or False)
        try:
            plain = {unit: _plain(hostvars, unit, with_backend=bootstrap and unit in in_run) for unit in all_units}
            resolved = {unit: resolve_unit(unit, plain[unit], project_dir) for unit in all_units}
            graph = StackGraph({unit: cfg["dependencies"] for unit, cfg in resolved.items()})
            check_unique_state_keys({u: c["state_key"] for u, c in resolved.items() if c["state_key"]})
            problems = self._validate(resolved, hostvars)
            backends = plan_unit_backends({u: plain[u] for u in in_run}) if bootstrap else None
            if backends:
                problems.extend(backends["problems"])
            if problems:
                raise InputError("the stack is not valid:\n- " + "\n- ".join(problems), problems=problems)
            if mode == "destroy":
                self._check_destroy_allowed(resolved, in_run, args.get("confirm_destroy"))
            if bootstrap:  # only once the whole stack is known to be valid
                self._bootstrap(result, backends, plain, in_run, project_dir)
            if mode != "validate":  # validate stays offline
                result["backend_identities"] = check_backends(resolved[u]["backend"] for u in in_run)
                _cache_terraform_versions(resolved[u] for u in in_run)
        except GroundworkError as exc:
            if isinstance(exc, AwsError):
                exc.message = "refused before any terraform ran: " + exc.message
            exc.message = with_inventory(exc.message, task_vars)
            return dict(result, failed=True, **exc.fail_kwargs())

        env_name = next((c["env_name"] for c in resolved.values() if c.get("env_name")), "default")
        run_root = args.get("run_root") or os.path.join(project_dir, ".groundwork", "runs")
        forks = task_vars.get("ansible_forks")
        # The units play hands hosts to forks in this order: the order a list schedule with as
        # many slots as forks starts them, heaviest chain first, weighted by the last run's times.
        weights = {} if mode == "validate" else previous_durations(run_root, env_name, mode)
        run_graph = graph.subgraph(in_run) if set(in_run) != set(graph.order()) else graph
        order = run_graph.schedule(workers=forks if isinstance(forks, int) and forks > 0 else None,
                                   weights=weights, reverse=mode == "destroy")
        slack = {}
        if weights and all(unit in weights for unit in in_run):
            # only with every unit's time known: a unit without one could be the slow one
            slack = {unit: round(seconds, 3) for unit, seconds in
                     run_graph.slack(weights, reverse=mode == "destroy").items()}
        layers = [[u for u in layer if u in in_run] for layer in
                  (graph.reverse_layers() if mode == "destroy" else graph.layers())]
        layers = [layer for layer in layers if layer]
        mocks = {}
        if mode != "validate":  # plans, plan-only units and destroys may need them
            for unit in in_run:
                for dep in resolved[unit]["dependencies"]:
                    if dep not in mocks:
                        # regional ARNs in the dependency's own region (a DR region's units)
                        mocks[dep] = hcl.mock_outputs(hcl.read_module(resolved[dep]["module_dir"]), dep,
                                                      region=resolved[dep]["aws_provider"].get("region"))
        manifest = {
            "module_facts": {} if mode == "validate" else _module_facts(resolved[u]["source"] for u in in_run),
            "mode": mode,
            "units": order,
            "layers": layers,
            "dependents": {u: sorted(set(graph.dependents(u)) & set(in_run)) for u in in_run},
            "resolved": resolved,
            "derived_mocks": mocks,
            "started": time.time(),
            "limited": sorted(set(all_units) - set(in_run)),
            "slack": slack,
            "hold_back": hold_back_limits(slack, weights),
            # no history to tell the critical units from the others: units made ready together
            # start in run order, as many at once as the controller has cores
            "start_in_order": 0 if slack else max(1, os.cpu_count() or 1),
        }
        result.update(changed=bool(result.get("changed")), order=order, layers=layers, units=resolved,
                      mermaid=graph.to_mermaid())
        if mode != "validate" and isinstance(forks, int) and 0 < forks < len(order):
            # Under the free strategy a unit waiting for its dependencies holds a fork; with fewer
            # forks than units, a ready unit can queue behind waiting ones (measured in PERFORMANCE.md).
            result.setdefault("warnings", []).append(
                "forks is %d but this run has %d units: units that wait for dependencies hold a fork, so ready "
                "units may queue; run with -f %d for ready-set scheduling" % (forks, len(order), len(order)))
        if mode == "validate":
            result["msg"] = "%d units valid; %d layers" % (len(all_units), len(graph.layers()))
            return result
        run_dir = os.path.join(run_root, run_dir_name(env_name, mode, time.strftime("%Y%m%dT%H%M%S"),
                                                      uuid.uuid4().hex[:6]))
        run = RunDir(run_dir)
        run.create(manifest)
        for unit in marked_at_start(manifest, forks):
            run.mark_starting(unit)  # before the units play: the units after it see the mark however forks race
        result["run_dir"] = run_dir
        return result

    def _validate(self, resolved, hostvars):
        """Every offline problem of the stack, each naming the unit and how to fix it."""
        problems = []
        for unit, cfg in sorted(resolved.items()):
            try:
                info = hcl.read_module(cfg["module_dir"])
            except GroundworkError as exc:
                problems.append("unit %s: %s" % (unit, exc.message))
                continue
            declared = set(info.variables)
            given = set(cfg["inputs_declared"])
            for name in sorted(given - declared):
                problems.append("unit %s: input %r is not a variable of module %s (declared: %s)"
                                % (unit, name, cfg["module_dir"], ", ".join(sorted(declared)) or "none"))
            for name in sorted(set(info.required_variables) - given):
                problems.append("unit %s: required variable %r of module %s is not in unit_inputs"
                                % (unit, name, cfg["module_dir"]))
            raw_inputs = _raw(hostvars, unit, "unit_inputs")
            # Values known now are checked against the declared types (templated ones at run time).
            problems.extend("unit %s: %s" % (unit, problem)
                            for problem in check_inputs(raw_inputs if isinstance(raw_inputs, dict) else {},
                                                        info.variables)[1])
            for dep, output in sorted(dependency_references(raw_inputs), key=str):
                if dep not in resolved:
                    problems.append("unit %s: unit_inputs reference dependency.%s, which is not a unit" % (unit, dep))
                    continue
                if dep not in cfg["dependencies"]:
                    problems.append("unit %s: unit_inputs use dependency.%s but %s is not in unit_dependencies"
                                    % (unit, dep, dep))
                if output:
                    try:
                        outputs = hcl.read_module(resolved[dep]["module_dir"]).outputs
                    except GroundworkError:
                        continue  # reported for that unit
                    if output not in outputs:
                        problems.append("unit %s: dependency.%s.%s is not an output of %s's module (outputs: %s)"
                                        % (unit, dep, output, dep, ", ".join(sorted(outputs)) or "none"))
        return problems

    def _bootstrap(self, result, plan, plain, in_run, project_dir):
        """Ensure each distinct backend of the run's units once (deploy.yml's bootstrap)."""
        args = self._task.args
        profiles = sorted({str(plain[u].get("backend_profile")) for u in in_run if plain[u].get("backend_profile")})
        if len(profiles) > 1:
            raise InputError("backend_profile differs between units (%s); set it once for the inventory"
                             % ", ".join(profiles))
        ensured, warnings = ensure_backends(
            plan, profile=profiles[0] if profiles else None, check_mode=bool(self._play_context.check_mode),
            marker_dir=os.path.join(project_dir, ".groundwork", "backends"),
            recheck=boolean(args.get("backend_recheck") or False),
            max_age=max_age_seconds(args.get("backend_recheck_after")))
        result["backends"] = ensured
        result["local_units"] = plan["local_units"]
        result["changed"] = any(b.get("changed") for b in ensured)
        if warnings:
            result.setdefault("warnings", []).extend(sorted(set(warnings)))

    def _check_destroy_allowed(self, resolved, in_run, confirm):
        protected = sorted(u for u in in_run if resolved[u]["destroy_protection"])
        if protected:
            raise InputError("destroy refused: destroy_protection is true for %s; this inventory must not be "
                             "destroyed by a playbook" % ", ".join(protected))
        env_names = sorted({resolved[u]["env_name"] or "default" for u in in_run})
        if confirm not in env_names or len(env_names) != 1:
            raise InputError("destroy refused: confirm with -e confirm_destroy=%s (the env_name of this inventory)"
                             % "/".join(env_names))


def _cache_terraform_versions(configs):
    """Ask each distinct terraform binary its version once, into the plugin cache dir the units share.

    Without it, every unit with a cold work dir starts its own ``terraform version`` (one more
    process before its first real one). A binary that is missing or broken is left for the units
    to report, each with its name.
    """
    from ansible_collections.groundwork.terraform.plugins.module_utils import terraform_cli as cli
    from ansible_collections.groundwork.terraform.plugins.module_utils.unit import default_plugin_cache_dir

    seen = set()
    for cfg in configs:
        cache = cfg.get("plugin_cache_dir")
        cache = default_plugin_cache_dir() if cache is None else os.path.expanduser(os.path.expandvars(cache))
        key = (cfg.get("terraform_binary"), cache)
        if key in seen or not cache:
            continue
        seen.add(key)
        try:
            binary = cli.find_binary(cfg.get("terraform_binary"))
            cli.detect(binary, cli.version_cache_file(cache, binary))
        except (GroundworkError, OSError):
            continue


def _module_facts(sources):
    """Each distinct source's module facts, for the units (a cold unit then does not parse HCL again)."""
    from ansible_collections.groundwork.terraform.plugins.module_utils.unit import known_module_facts

    facts = {}
    for source in sources:
        if source in facts:
            continue
        try:
            facts[source] = known_module_facts(source, hcl.read_module)
        except (GroundworkError, OSError):
            continue  # the unit reads its module itself and reports what is wrong
    return facts


def _plain(hostvars, unit, with_backend=False):
    """Templated values of the variables resolve_unit (and the bootstrap) read (HostVars template lazily)."""
    names = ("unit_module", "terraform_modules_dir", "unit_dependencies", "unit_inputs", "unit_mock_outputs",
             "env_name", "aws_region", "aws_endpoint_url", "tf_state_bucket", "tf_lock_table", "tf_state_kms_key_id",
             "unit_state_key", "allow_local_state", "aws_assume_role_arn", "aws_default_tags", "aws_account_id",
             "groundwork_work_root", "unit_concurrency_limit", "unit_concurrency_group", "terraform_binary",
             "terraform_provider_mirror", "terraform_plugin_cache_dir", "destroy_protection", "unit_allow_destroy",
             "unit_plan_only", "inventory_dir")
    if with_backend:
        names = tuple(sorted(set(names) | set(UNIT_VARIABLES)))
    host_vars = hostvars[unit]
    plain = {}
    for name in names:
        if name == "unit_inputs":
            plain[name] = _raw(hostvars, unit, name)  # templated later, once dependency outputs exist
            continue
        try:
            plain[name] = host_vars.get(name)
        except Exception as exc:  # an undefined variable inside a value
            raise InputError("variable %s could not be templated: %s" % (name, " ".join(str(exc).split())[:300]))
    return plain


def _raw(hostvars, unit, name):
    """A variable's value without templating (it may reference dependency.* outputs)."""
    raw = hostvars.raw_get(unit)
    return raw.get(name) if isinstance(raw, dict) else None
