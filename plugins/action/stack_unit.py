# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs one inventory unit inside a stack run: wait, resolve dependencies, run, record.

An action plugin because the unit's inputs reference ``dependency.<unit>.<output>``, which
exists only once the dependencies have finished: the raw ``unit_inputs`` are templated here,
after the wait, with the dependency outputs read from their state.
"""
from __future__ import annotations

import os
import re
import threading
import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.unit import (
    UnitRunner, UnitSpec, normalise_params, secret_env_values, unit_argument_spec)
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_run import (
    DONE, FAILED, OK, SKIPPED, START_IN_ORDER_MAX, ConcurrencySlot, PrepareClaims, RunDir, critical_units,
    held_back_for, hold_back_limit, start_in_order, waits_for, with_inventory)

# Options of the unit module a play may set for every unit of a run.
_PASS_THROUGH = ("lock_timeout", "parallelism", "targets", "replace", "env", "log_dir", "allow_unlocked",
                 "backend_change")
# Settings resolved per unit from the inventory (module_utils/stack_config.resolve_unit).
_RESOLVED = ("source", "work_dir", "backend", "aws_provider", "terraform_binary", "provider_mirror",
             "plugin_cache_dir", "allow_destroy")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("run_dir", "mode", "name", "plan_dir", "wait_timeout") + _PASS_THROUGH)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        name = args.get("name") or task_vars["inventory_hostname"]
        mode = args.get("mode", "deploy")
        if mode not in ("deploy", "plan", "destroy"):
            return dict(failed=True, msg="stack_unit: mode must be deploy, plan or destroy, not %r" % mode)
        run = RunDir(args["run_dir"])
        try:
            manifest = run.manifest
            cfg = manifest["resolved"][name]
        except (GroundworkError, KeyError):
            return dict(result, failed=True, msg="unit %s is not part of the stack run in %s" % (name, run.path))
        if name not in manifest["units"]:
            return dict(result, skipped=True, msg="unit %s is outside this run (--limit)" % name)
        ahead = _PrepareAhead(PrepareClaims(run.path), manifest["units"], name, os.path.join(run.path, "init-slots"),
                              lambda unit: self._prepare(run, manifest, manifest["resolved"][unit], mode, args))
        try:
            return self._run_and_record(result, run, manifest, cfg, name, mode, args, task_vars, ahead)
        finally:
            run.clear_starting(name)  # skipped, failed or done: nobody holds back for it any more
            ahead.stop()  # after this unit's status is written: dependents already go on

    def _run_and_record(self, result, run, manifest, cfg, name, mode, args, task_vars, ahead):
        # waiting_since: when this unit got a fork; started: when its dependencies were done and its
        # own work began (what the summary and the timings count from).
        waiting_since = started = time.time()
        # Units that dropped out before this play (a failed bootstrap) will never write a status.
        present = set(task_vars.get("ansible_play_hosts") or manifest["units"])
        try:
            init_ahead = ahead.claims.claim(name)  # prepared by a unit ahead of it, or from now on by itself
            prepared = self._prepare_while_waiting(run, manifest, cfg, mode, args)
            waited = self._wait(run, manifest, name, mode, cfg, present)
            if waited is not None:
                return dict(result, **waited)
            if name in held_back_for(manifest):
                run.mark_starting(name)  # units ready now that hold back for it wait until it has planned
            held_back = self._hold_back(run, manifest, name, present)
            started = time.time()
            group, limit = cfg.get("concurrency_group"), cfg.get("concurrency_limit")
            if group and limit:
                with ConcurrencySlot(os.path.join(run.path, "slots"), group, limit):
                    module_result = self._run_unit(run, manifest, cfg, mode, args, task_vars, ahead.start)
            else:
                module_result = self._run_unit(run, manifest, cfg, mode, args, task_vars, ahead.start)
        except GroundworkError as exc:
            run.set_status(name, FAILED, error=exc.message, mode=mode, started=started, waiting_since=waiting_since)
            return dict(result, failed=True, msg=exc.message)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Whatever went wrong, record it: dependents wait on this unit's status file.
            run.set_status(name, FAILED, error="unexpected error: %s" % exc, mode=mode, started=started,
                           waiting_since=waiting_since)
            raise
        if module_result.get("failed"):  # recovery commands in the message name this run's inventory
            module_result["msg"] = with_inventory(module_result.get("msg"), task_vars)
        if prepared:
            module_result["init_while_waiting"] = prepared
        if init_ahead:
            module_result["init_ahead"] = {"by": init_ahead.get("by"), "init": init_ahead.get("init")}
        if held_back is not None:
            module_result["held_back"] = held_back
        if cfg.get("plan_only") and mode == "deploy":
            # A deploy never changes a plan-only unit (idempotent); the summary says what its
            # plan would do.
            module_result["changed"] = False
        result.update(module_result)
        status = FAILED if module_result.get("failed") else OK
        if status == OK:
            self._mark_next_starting(run, manifest, name, mode, ahead.claims)
        plan = module_result.get("plan") or {}
        run.set_status(name, status, mode=mode, waiting_since=waiting_since, started=started, finished=time.time(),
                       plan_only=bool(cfg.get("plan_only")) and mode == "deploy",
                       changed=bool(module_result.get("changed")), error=module_result.get("msg") if status == FAILED else None,
                       backend=cfg.get("backend"), work_dir=module_result.get("work_dir"),
                       plan={k: plan.get(k) for k in ("add", "change", "destroy", "has_changes", "mocked_inputs",
                                                      "output_changes")},
                       resource_changes=plan.get("resource_changes", []),
                       mocked_dependencies=module_result.get("_mocked_dependencies", []),
                       duration=module_result.get("duration"), log_path=module_result.get("log_path"),
                       # Non-sensitive outputs only (0600 file in a 0700 dir): dependents in this
                       # run take them from here instead of a state read.
                       outputs=_plain_outputs(module_result) if status == OK and mode != "destroy" else None,
                       sensitive_outputs=module_result.get("sensitive_outputs", []),
                       init_ahead=module_result.get("init_ahead"), held_back=held_back,
                       planned_at=module_result.get("_planned_at"),
                       terraform_processes=module_result.get("terraform_processes"))
        result.pop("_mocked_dependencies", None)
        result.pop("_planned_at", None)
        if status == OK:
            result["ansible_facts"] = {"unit_outputs": module_result.get("outputs", {})}
        return result

    # -------------------------------------------------------------------------------------

    def _wait(self, run, manifest, name, mode, cfg, present):
        """Wait for what must finish first; returns a result when this unit must not run."""
        upstream = waits_for(manifest, cfg, mode)
        if not upstream:
            return None
        gone = sorted(u for u in upstream if u not in present and not run.status(u))
        if gone:
            run.set_status(name, SKIPPED, mode=mode, blocked_by=gone[0])
            return dict(changed=False, skipped=True, skip_reason="blocked by unit %s" % gone[0],
                        msg="unit %s skipped: %s failed before the units ran" % (name, gone[0]))
        try:
            records = run.wait_for(upstream, float(self._task.args.get("wait_timeout") or 6 * 3600))
        except TimeoutError as exc:
            raise GroundworkError("unit %s: %s" % (name, exc))
        blocking = sorted(u for u, r in records.items() if r["status"] != OK)
        if blocking:
            first = blocking[0]
            cause = records[first].get("blocked_by") or first
            run.set_status(name, SKIPPED, mode=mode, blocked_by=cause)
            return dict(changed=False, skipped=True, skip_reason="blocked by failed unit %s" % cause,
                        msg="unit %s skipped: %s %s did not succeed" % (
                            name, "dependent" if mode == "destroy" else "dependency", cause))
        return None

    def _hold_back(self, run, manifest, name, present):
        """Several terraform processes starting at once on a small machine slow each other down.
        With the run order's history, a unit with slack lets the units on the critical path that
        are starting now go first (until each has planned, within its hold-back limit). Without
        history, a unit waits while as many units ahead of it in the run order as the controller
        has cores are starting (START_IN_ORDER_MAX at most). Returns the seconds held back, None
        when this unit never holds back. Units that left the run before this play (``present``)
        never plan: their marks (made when the run was created) are not waited for."""
        limit = hold_back_limit(manifest, name)
        if limit:
            return round(run.hold_back([u for u in critical_units(manifest) if u in present], limit), 3)
        at_once = start_in_order(manifest)
        if at_once:
            order = manifest["units"]
            ahead = [u for u in order[:order.index(name)] if u in present]
            return round(run.hold_back(ahead, START_IN_ORDER_MAX, at_once), 3)
        return None

    def _mark_next_starting(self, run, manifest, name, mode, claims):
        """Before this unit's ok status wakes its dependents, mark those it makes ready that others
        hold back for (held_back_for) as starting: the others woken with them then see the mark
        and hold back. Only those whose task has a fork (claimed): nobody holds a fork back for a
        queued unit, which would only keep it queued longer."""
        for unit in held_back_for(manifest):
            upstream = waits_for(manifest, manifest["resolved"][unit], mode)
            if unit != name and name in upstream and claims.started(unit) and all(
                    u == name or (run.status(u) or {}).get("status") == OK for u in upstream):
                run.mark_starting(unit)

    def _dependency_outputs(self, run, manifest, cfg, mode):
        """Outputs of each dependency from its state; mocks (plan only) where it has none."""
        outputs, mocked = {}, []
        name = cfg["name"]
        for dep in cfg["dependencies"]:
            record = run.status(dep) or {}
            applied_here = record.get("status") == OK and record.get("mode") == "deploy" \
                and not record.get("plan_only")
            if applied_here and record.get("outputs") is not None and not record.get("sensitive_outputs"):
                outputs[dep] = record["outputs"]
                continue
            # Outside this run (--limit), or sensitive outputs: read the dependency's state.
            from ansible_collections.groundwork.terraform.plugins.module_utils import remote_state
            dep_cfg = manifest["resolved"][dep]
            backend, work_dir = dep_cfg.get("backend"), dep_cfg.get("work_dir")
            if backend:
                found = remote_state.read_state_outputs(backend)
            else:
                found = remote_state.read_local_state_outputs(os.path.join(work_dir, "terraform.tfstate")) \
                    if work_dir else None
            if found:
                outputs[dep] = remote_state.outputs_values(found)
                continue
            if mode in ("plan", "destroy") or (mode == "deploy" and cfg.get("plan_only")):
                # plans may run on mocks (and say so); a destroy only needs values that type-check
                mock = dict(manifest.get("derived_mocks", {}).get(dep) or {})
                mock.update(cfg.get("mock_outputs", {}).get(dep) or {})
                outputs[dep] = mock
                mocked.append(dep)
            elif mode == "deploy":
                raise GroundworkError("unit %s: dependency %s has no state yet; deploy it first (include it in "
                                      "--limit) - mock outputs are only for plans" % (name, dep))
        return outputs, mocked

    def _template_inputs(self, raw_inputs, dependency, task_vars):
        variables = dict(task_vars)
        variables["dependency"] = dependency
        templar = self._templar.copy_with_new_env(available_variables=variables)
        try:
            return templar.template(raw_inputs)
        except AnsibleError as exc:
            raise GroundworkError("unit inputs could not be templated: %s" % " ".join(str(exc).split())[:400])

    def _run_unit(self, run, manifest, cfg, mode, args, task_vars, on_initialised=None):
        name = cfg["name"]
        dependency, mocked_deps = self._dependency_outputs(run, manifest, cfg, mode)
        raw = task_vars["hostvars"].raw_get(name)
        raw_inputs = (raw.get("unit_inputs") if isinstance(raw, dict) else None) or {}
        inputs = self._template_inputs(raw_inputs, dependency, task_vars)
        mocked_inputs = [] if mode == "destroy" else sorted(
            key for key, value in raw_inputs.items() if any(_mentions(value, dep) for dep in mocked_deps))
        module_args = _module_args(cfg, mode, args, inputs, mocked_inputs)
        if mode == "plan" and args.get("plan_dir"):
            module_args["plan_file"] = os.path.join(args["plan_dir"], "%s.tfplan" % name)
        planned_at = []

        def planned():  # units holding back for this one go on now
            planned_at.append(time.time())
            run.clear_starting(name)

        result = self._run_in_process(module_args, (manifest.get("module_facts") or {}).get(cfg.get("source")),
                                      on_initialised, planned if name in held_back_for(manifest) else None)
        result["_mocked_dependencies"] = mocked_deps
        result["_planned_at"] = planned_at[0] if planned_at else None
        return result

    def _prepare_while_waiting(self, run, manifest, cfg, mode, args):
        """Sync, generated files and terraform init while dependencies still run (they need no
        inputs): off the critical path, the run after the wait finds init done and skips it.

        Not under the unit's concurrency slot (init only talks to the state backend). Anything
        that fails here is left to the run after the wait, which repeats every step and reports.
        """
        upstream = waits_for(manifest, cfg, mode)

        def dependencies_done():
            return all((run.status(u) or {}).get("status") in DONE for u in upstream)

        def under_way(unit):  # done, or running: its own upstream is done
            if (run.status(unit) or {}).get("status") in DONE:
                return True
            return all((run.status(u) or {}).get("status") in DONE
                       for u in waits_for(manifest, manifest["resolved"][unit], mode))

        if not upstream or dependencies_done():
            return None
        # Just in time: once every dependency is under way, not while they still wait for theirs.
        # An init at the start beside the first units' applies slows them down (a chain at forks 10
        # had 9 inits there), and one dependency's apply is time enough for an init. Only a final
        # status of a dependency or of one of theirs changes that: woken by those, not polled.
        watched = set(upstream).union(*(waits_for(manifest, manifest["resolved"][u], mode) for u in upstream))
        with run.wake_on(watched) as wake:
            while not all(under_way(u) for u in upstream):
                wake.pause(0.05)
        if dependencies_done():
            return None
        # A few at a time (_inits_ahead_at_once): with a fork per unit, every waiting unit would init
        # at the start and slow the first units' applies (measured in docs/PERFORMANCE.md). A unit
        # whose dependencies finish before it gets a slot stops waiting and inits in its own run.
        with ConcurrencySlot(os.path.join(run.path, "init-slots"), "init", _inits_ahead_at_once(),
                             poll=0.05, give_up=dependencies_done) as slot:
            return self._prepare(run, manifest, cfg, mode, args) if slot.acquired else None

    def _prepare(self, run, manifest, cfg, mode, args):
        """UnitRunner.prepare() of a unit (this one or one ahead): its init outcome, None on any error."""
        validated = ArgumentSpecValidator(unit_argument_spec()).validate(_module_args(cfg, mode, args, {}, []))
        if validated.error_messages:
            return None
        try:
            params = validated.validated_parameters
            normalise_params(params)
            runner = UnitRunner(UnitSpec(**params), check_mode=bool(self._play_context.check_mode),
                                known_facts=(manifest.get("module_facts") or {}).get(cfg.get("source")))
            return runner.prepare(background=True).get("init")
        except Exception:  # pylint: disable=broad-exception-caught
            return None

    def _run_in_process(self, module_args, known_facts=None, on_initialised=None, on_planned=None):
        """The unit module's work, here in the worker: UnitRunner is plain module_utils.

        Same argument spec, same runner, same secret masking as the module, without a module
        payload and a new interpreter per unit (0.8 s each, measured in docs/PERFORMANCE.md).
        """
        validated = ArgumentSpecValidator(unit_argument_spec()).validate(module_args)
        if validated.error_messages:
            return dict(failed=True, msg="unit %s: %s" % (module_args.get("name"), "; ".join(validated.error_messages)))
        params = validated.validated_parameters
        secrets = set(getattr(validated, "_no_log_values", ())) | secret_env_values(params.get("env"))
        runner = None
        try:
            normalise_params(params)
            runner = UnitRunner(UnitSpec(**params), check_mode=bool(self._play_context.check_mode),
                                diff=bool(self._play_context.diff), known_facts=known_facts,
                                on_initialised=on_initialised, on_planned=on_planned)
            result = dict(runner.run())
            secrets |= runner.secrets
        except GroundworkError as exc:
            if runner is not None:
                secrets |= runner.secrets
            result = dict(failed=True, **exc.fail_kwargs())
        return remove_values(result, secrets)


class _PrepareAhead:
    """While this unit runs, a thread prepares the next unit of the run order whose task has not
    started (PrepareClaims), under an init slot (as many as cores).

    One unit, not more: this unit's task returns only once that init is done, and with one fork
    the next unit's task waits for that return; its own init would take as long. Started once this
    unit's own init is done, so its init never waits behind the other's.
    """

    def __init__(self, claims, order, helper, slots_dir, prepare_unit):
        self.claims, self.order, self.helper = claims, order, helper
        self.slots_dir, self.prepare_unit = slots_dir, prepare_unit
        self.done = threading.Event()
        self.thread = None

    def start(self):
        if self.thread is None and not self.done.is_set():
            self.thread = threading.Thread(target=self._work, name="prepare-ahead", daemon=True)
            self.thread.start()

    def stop(self):
        self.done.set()
        if self.thread is not None:
            self.thread.join()

    def _work(self):
        try:
            candidates = self.claims.candidates(self.order, self.helper)
            if not candidates:
                return
            with ConcurrencySlot(self.slots_dir, "init", _inits_ahead_at_once(), poll=0.05,
                                 give_up=self.done.is_set) as slot:
                if not slot.acquired:
                    return
                for unit in candidates:  # the first one no other helper took meanwhile
                    if self.done.is_set():
                        return
                    if self.claims.prepare_ahead(unit, self.helper, lambda unit=unit: self.prepare_unit(unit)):
                        return
        except Exception:  # pylint: disable=broad-exception-caught
            return  # best effort: every unit's own run repeats every step


def _inits_ahead_at_once():
    """Inits ahead of need (while waiting, or for the next unit) at once: a core fewer than the
    machine has, so one stays for the units running now (on 2 cores, one at a time: uneven-10 with
    the AWS provider 35.7 -> 34.5 s, uneven-30 20.67 -> 20.53 s; docs/PERFORMANCE.md)."""
    return max(1, (os.cpu_count() or 2) - 1)


def _module_args(cfg, mode, args, inputs, mocked_inputs):
    """The unit module's arguments for this unit in this mode."""
    module_args = {k: args[k] for k in _PASS_THROUGH if args.get(k) is not None}
    module_args.update({k: cfg[k] for k in _RESOLVED if cfg.get(k) is not None})
    state = {"deploy": "present", "plan": "planned", "destroy": "absent"}[mode]
    if cfg.get("plan_only") and mode == "deploy":
        state = "planned"
    module_args.update(name=cfg["name"], inputs=inputs, mocked_inputs=mocked_inputs, state=state)
    return module_args


def _plain_outputs(module_result):
    sensitive = set(module_result.get("sensitive_outputs") or [])
    return {k: v for k, v in (module_result.get("outputs") or {}).items() if k not in sensitive}


def _mentions(raw, dep):
    """Whether a raw (untemplated) input value references dependency ``dep``."""
    if isinstance(raw, dict):
        return any(_mentions(v, dep) for v in raw.values())
    if isinstance(raw, (list, tuple)):
        return any(_mentions(v, dep) for v in raw)
    if isinstance(raw, str):
        return bool(re.search(r"dependency(\.%s\b|\[['\"]%s['\"]\])" % (re.escape(dep), re.escape(dep)), raw))
    return False
