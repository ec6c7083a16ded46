# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything Terragrunt does for one unit, as a plain Python class the module hands over to.

Lifecycle of ``UnitRunner.run()``:
  sync source -> refuse leftovers (errored.tfstate) -> check inputs against the module's
  variables -> generate backend/provider/tfvars -> init only when its fingerprint changed ->
  plan (-json events: changes, outputs, diagnostics) -> apply only when the plan changes
  something -> outputs from the apply events, else from the state inside the saved plan
  (``state pull`` only when that cannot be read).
A no-op run of an initialised unit therefore starts one terraform process: plan.

Beside it: unit_config.py (the backend, provider and CLI config it generates), unit_values.py
(outputs, plan summaries and diffs, masked), recovery.py (lock and digest errors read into
recovery commands).
"""
from __future__ import annotations

import fcntl
import getpass
import json
import os
import re
import shutil
import socket
import time

from ansible_collections.groundwork.terraform.plugins.module_utils import terraform_cli as cli
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import (
    GroundworkError, InputError, LockHeldError, TerraformError)
from ansible_collections.groundwork.terraform.plugins.module_utils.input_types import check_inputs, type_tree
from ansible_collections.groundwork.terraform.plugins.module_utils.recovery import (
    CREDENTIALS_REFUSED, duration_seconds, format_age, lock_age, parse_digest_mismatch, parse_lock_info,
    unlock_command)
from ansible_collections.groundwork.terraform.plugins.module_utils.unit_config import (
    backend_block, cli_config, describe_backend, provider_block)
from ansible_collections.groundwork.terraform.plugins.module_utils.unit_values import (
    diff_from_plan_json, mask_outputs, outputs_from_state, secret_strings, summarize)
from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import (
    WorkDir, fingerprint, source_signature_of, split_source, write_private)

MODULE_FACTS_VERSION = 2  # bump when module_facts() changes shape or meaning


def unit_argument_spec():
    """The unit module's options: shared by the module and the stack_unit action (one code path)."""
    return dict(
        name=dict(type="str", required=True),
        source=dict(type="str", required=True),
        work_dir=dict(type="path"),
        backend=dict(type="dict"),
        inputs=dict(type="dict", default={}),
        mocked_inputs=dict(type="list", elements="str", default=[]),
        state=dict(type="str", default="present", choices=["present", "planned", "absent"]),
        plan_file=dict(type="path"),
        lock_timeout=dict(type="str"),
        parallelism=dict(type="int"),
        targets=dict(type="list", elements="str", default=[]),
        replace=dict(type="list", elements="str", default=[]),
        terraform_binary=dict(type="str"),
        plugin_cache_dir=dict(type="path"),
        provider_mirror=dict(type="path"),
        aws_provider=dict(type="dict", options=dict(
            enabled=dict(type="raw", default="auto"),
            region=dict(type="str"),
            profile=dict(type="str"),
            assume_role_arn=dict(type="str"),
            assume_role_session_name=dict(type="str", default="groundwork"),
            external_id=dict(type="str", no_log=True),
            allowed_account_ids=dict(type="list", elements="str"),
            default_tags=dict(type="dict"),
            endpoint_url=dict(type="str"),
        )),
        env=dict(type="dict", default={}, no_log=False),
        log_dir=dict(type="path"),
        return_sensitive_outputs=dict(type="bool", default=False),
        force_unlock=dict(type="str"),
        allow_destroy=dict(type="bool", default=True),
        allow_unlocked=dict(type="bool", default=False),
        backend_change=dict(type="str", default="fail", choices=["fail", "migrate", "reconfigure"]),
    )


def normalise_params(params):
    """aws_provider.enabled: 'auto', or a boolean in any of Ansible's spellings."""
    from ansible.module_utils.parsing.convert_bool import boolean

    aws = params.get("aws_provider")
    if not aws:
        return params
    enabled = aws.get("enabled")
    if enabled is None or (isinstance(enabled, str) and enabled.lower() == "auto"):
        aws["enabled"] = "auto"
        return params
    try:
        aws["enabled"] = boolean(enabled, strict=True)
    except TypeError:
        raise InputError("aws_provider.enabled must be auto, true or false, not %r" % (enabled,))
    return params


def secret_env_values(env):
    """Values of ``env`` (credentials live there) to keep out of any output."""
    return {value for value in (env or {}).values() if isinstance(value, str) and len(value) >= 3}


class UnitSpec:
    """The validated options of one unit run (names mirror the module's options)."""

    FIELDS = ("name", "source", "work_dir", "backend", "inputs", "state", "plan_file", "lock_timeout",
              "parallelism", "targets", "replace", "terraform_binary", "plugin_cache_dir", "provider_mirror",
              "aws_provider", "env", "log_dir", "return_sensitive_outputs", "force_unlock",
              "allow_destroy", "allow_unlocked", "backend_change", "mocked_inputs")

    def __init__(self, **params):
        for field in self.FIELDS:
            setattr(self, field, params.get(field))
        self.inputs = self.inputs or {}
        self.targets = self.targets or []
        self.replace = self.replace or []
        self.env = self.env or {}
        self.mocked_inputs = self.mocked_inputs or []
        self.state = self.state or "present"
        self.backend_change = self.backend_change or "fail"
        if self.allow_destroy is None:
            self.allow_destroy = True


def default_work_dir(name):
    return os.path.join(os.getcwd(), ".groundwork", "units", name)


# terraform's switch to use a cached provider the lock file has no checksum for yet (>= 1.4)
CACHE_MAY_BREAK_LOCK_FILE = "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"
# The key of the last deploy of a work dir that ended converged (see UnitRunner._applies_directly).
CONVERGED_META = "converged.json"
# nice increment of inits done ahead of need (prepare(background=True)): on a busy machine the
# applies on the critical path get the CPU first
BACKGROUND_NICENESS = 10


def default_plugin_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "groundwork", "terraform-plugins")


# ---------------------------------------------------------------------------------------
# What a run needs of its module (read with hcl.py, cached on the source signature).

def module_facts(info):
    """What a unit run needs to know of its module, as plain data (cached between runs)."""
    return {
        "variables": {name: {"sensitive": bool(var.sensitive), "required": not var.has_default,
                             "nullable": var.nullable, "type_tree": type_tree(var.type)}
                      for name, var in sorted(info.variables.items())},
        "uses_aws": bool(info.uses_provider("aws")),
        "needs_providers": bool(info.required_providers or info.resource_providers or info.provider_blocks
                                or info.child_modules),
        "own_provider_blocks": sorted(info.provider_blocks),
        # The parts of a module whose change needs a new ``terraform init``:
        "backend": info.backend,
        "modules": {name: [source, info.module_versions.get(name)] for name, source in sorted(info.child_modules.items())},
        "providers": dict(sorted(info.required_providers.items())),
    }


def module_facts_signature(source_signature, subdir):
    """What module facts are cached on: the facts' version and every file of the source."""
    return fingerprint([MODULE_FACTS_VERSION, source_signature, subdir])


def known_module_facts(source, read_module):
    """Module facts of ``source`` (``dir`` or ``dir//subdir``) with the signature a unit checks them by.

    stack_run hands these to the units through the run manifest, so a unit with a cold work dir
    does not import python-hcl2 and parse its module again: the unit uses them only when its own
    signature of the source (taken when it syncs its work dir) is the same, so a source edited
    since stack_run read it is parsed again.
    """
    source_root, subdir = split_source(source)
    source_root = os.path.abspath(source_root)
    return {"signature": module_facts_signature(source_signature_of(source_root), subdir),
            "facts": module_facts(read_module(os.path.join(source_root, subdir)))}


# ---------------------------------------------------------------------------------------

class UnitResult(dict):
    """The module's return values (a dict), plus the secrets it must keep out of output."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secrets = set()


class UnitRunner:
    """Runs one unit. ``check_mode`` plans only; ``diff`` adds per-resource before/after."""

    def __init__(self, spec, check_mode=False, diff=False, base_env=None, module_info_reader=None,
                 known_facts=None, on_initialised=None, on_planned=None):
        self.spec = spec
        # called once run() has its init done (a stack run then prepares units ahead)
        self.on_initialised = on_initialised
        self.on_planned = on_planned  # once terraform has made its plan (the apply's changes follow)
        self.known_facts = known_facts  # known_module_facts() of spec.source, from stack_run
        self.check_mode = check_mode
        self.diff = diff
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.read_module_info = module_info_reader
        self.started = time.monotonic()
        self.result = UnitResult(changed=False, name=spec.name)
        self.secrets = set()
        self.tf = None
        self.workdir = None
        self.runner = None

    # --- public -------------------------------------------------------------------------

    def run(self):
        spec = self.spec
        info = self._open()
        if not spec.force_unlock:  # force-unlock needs the backend only, not the module's inputs
            self._check_inputs(info)
        self._secrets_from_inputs(info)
        self.runner = cli.Runner(self.workdir.run_dir, self._env(), self.result["log_path"], redact=self.secrets,
                                 on_planned=self.on_planned)
        layout = self._generate(info)
        var_file = self._write_inputs()
        try:
            self._init_if_needed(layout)
            if self.on_initialised is not None:
                self.on_initialised()
            if spec.force_unlock:
                return self._force_unlock()
            if spec.plan_file and spec.state == "present" and not self.check_mode:
                self._apply_saved_plan()
            elif self._applies_directly(layout):
                self._apply_directly(var_file, layout)
            else:
                self._plan_and_apply(var_file, layout)
        finally:
            if var_file and os.path.exists(var_file):
                os.remove(var_file)
            self._finish()
        return self.result

    def prepare(self, background=False):
        """Everything that does not depend on the inputs: sync, generated files, init.

        A unit waiting for its dependencies calls this first, so its init runs while they do
        and leaves the critical path; run() then finds the init fingerprint unchanged and skips
        it. Inputs are not checked here (they are not known yet); run() checks them.
        ``background``: the init is work ahead of need, so its terraform runs at a lower CPU
        priority than the applies on the critical path beside it.
        """
        info = self._open()
        self.runner = cli.Runner(self.workdir.run_dir, self._env(), self.result["log_path"], redact=self.secrets,
                                 niceness=BACKGROUND_NICENESS if background else 0)
        try:
            self._init_if_needed(self._generate(info))
        finally:
            self._finish()
        return self.result

    # --- steps --------------------------------------------------------------------------

    def _open(self):
        """Validated spec, synced work dir, terraform detected, module facts: the common start."""
        spec = self.spec
        self._validate_spec()
        self.workdir = WorkDir(spec.work_dir or default_work_dir(spec.name), spec.source)
        self.workdir.sync()
        binary = cli.find_binary(spec.terraform_binary)
        self.tf = cli.detect(binary, cli.version_cache_file(self._plugin_cache_dir(), binary)
                             or self.workdir.meta_path("terraform-version.json"))
        self.result.update(terraform_version=self.tf.version_string, terraform_flavor=self.tf.flavor,
                           work_dir=self.workdir.run_dir, log_path=self._log_path())
        self._refuse_errored_state()
        return self._module_info()

    def _validate_spec(self):
        spec = self.spec
        if not spec.name or not re.match(r"^[A-Za-z0-9_.\-]+$", spec.name):
            raise InputError("unit name %r must be letters, digits, '_', '.' or '-'" % spec.name)
        if not spec.source:
            raise InputError("unit %s: source is required (a terraform module directory)" % spec.name)
        if spec.plan_file and spec.state == "absent":
            raise InputError("unit %s: plan_file goes with state present or planned, not absent" % spec.name)
        if spec.mocked_inputs and spec.state == "present" and not self.check_mode and not spec.plan_file:
            raise InputError("unit %s: inputs %s hold mock outputs of dependencies that have no state yet; "
                             "apply those dependencies first (a plan with mocks is never applied)"
                             % (spec.name, ", ".join(sorted(spec.mocked_inputs))))

    def _log_path(self):
        log_dir = self.spec.log_dir or os.path.join(self.workdir.meta)
        os.makedirs(log_dir, mode=0o700, exist_ok=True)
        path = os.path.join(log_dir, "%s.log" % self.spec.name)
        if not os.path.exists(path):
            write_private(path, "")
        return path

    def _refuse_errored_state(self):
        errored = os.path.join(self.workdir.run_dir, "errored.tfstate")
        if not os.path.exists(errored):
            return
        os.chmod(errored, 0o600)
        # What the failed apply said about its lock (written by _apply); a lock left behind must be
        # released before `state push`, which takes the lock itself.
        left = self.workdir.read_meta("errored.json") or {}
        binary = os.path.basename(self.tf.path)
        steps = "cd %s && " % self.workdir.run_dir
        note = ""
        if left.get("lock_id"):
            steps += "%s force-unlock -force %s && " % (binary, left["lock_id"])
        elif left.get("lock_left"):
            note = ("; the apply could not release its lock either: if state push reports the lock held by that "
                    "apply, release it first with %s force-unlock -force <the ID it names>" % binary)
        steps += "%s state push errored.tfstate && rm errored.tfstate" % binary
        raise TerraformError(
            "unit %s is blocked: %s (mode 0600, never printed) holds the state of an apply that terraform could not "
            "upload to the backend; running again would fork the state. Once the backend answers, push it with the "
            "same AWS credentials: %s%s" % (self.spec.name, errored, steps, note),
            errored_state=errored, recovery=steps, lock_id=left.get("lock_id"))

    def _module_info(self):
        """Module facts, parsed with python-hcl2 only when the source changed since the last run.

        Read from the source, not the work dir: generated files must not count as the module's own.
        """
        signature = module_facts_signature(self.workdir.source_signature, self.workdir.subdir)
        cached = self.workdir.read_meta("module.json") or {}
        if cached.get("signature") == signature and self.read_module_info is None:
            return cached["facts"]
        known = self.known_facts or {}
        if known.get("signature") == signature and self.read_module_info is None:
            self.workdir.write_meta("module.json", {"signature": signature, "facts": known["facts"]})
            return known["facts"]
        if self.read_module_info is None:
            from ansible_collections.groundwork.terraform.plugins.module_utils import hcl
            self.read_module_info = hcl.read_module
        facts = module_facts(self.read_module_info(os.path.join(self.workdir.source_root, self.workdir.subdir)))
        self.workdir.write_meta("module.json", {"signature": signature, "facts": facts})
        return facts

    def _check_inputs(self, info):
        spec = self.spec
        declared = set(info["variables"])
        unknown = sorted(set(spec.inputs) - declared)
        if unknown:
            raise InputError("unit %s: input(s) %s are not variables of module %s (declared: %s); remove them "
                             "or declare them in the module" % (spec.name, ", ".join(unknown), spec.source,
                                                                ", ".join(sorted(declared)) or "none"))
        missing = sorted(set(n for n, v in info["variables"].items() if v["required"]) - set(spec.inputs))
        if missing:
            raise InputError("unit %s: required input(s) %s of module %s are not given; add them to inputs"
                             % (spec.name, ", ".join(missing), spec.source))
        # Types checked (and Ansible's yes/no/True spellings of bools normalised) before terraform sees them.
        spec.inputs, problems = check_inputs(spec.inputs, info["variables"])
        if problems:
            raise InputError("unit %s: %s" % (spec.name, "; ".join(problems)))

    def _secrets_from_inputs(self, info):
        for name, value in self.spec.inputs.items():
            variable = info["variables"].get(name)
            if variable is not None and variable["sensitive"]:
                self.secrets |= secret_strings(value)

    def _env(self):
        spec = self.spec
        env = dict(self.base_env)
        env.update({k: str(v) for k, v in spec.env.items()})
        env["TF_IN_AUTOMATION"] = "1"
        env["TF_INPUT"] = "0"
        if "TF_WORKSPACE" not in spec.env:
            env.pop("TF_WORKSPACE", None)  # units use the default workspace; their key tells them apart
        cache = self._plugin_cache_dir()
        if cache:
            os.makedirs(cache, exist_ok=True)
            env["TF_PLUGIN_CACHE_DIR"] = cache
            # Without it terraform >= 1.4 reinstalls a provider into the cache (unlink, link again)
            # on every first init of a work dir with no lock-file entry, under another unit that is
            # starting that provider: "Failed to load plugin schemas" (hashicorp/terraform#31964).
            # With it an entry, once in the cache, is used as it is; the lock file then records the
            # local platform's checksum (what a filesystem mirror gives anyway).
            env.setdefault(CACHE_MAY_BREAK_LOCK_FILE, "true")
        if spec.provider_mirror:
            mirror = os.path.abspath(os.path.expanduser(spec.provider_mirror))
            if not os.path.isdir(mirror):
                raise InputError("provider_mirror %s is not a directory" % mirror)
            env["TF_CLI_CONFIG_FILE"] = self.workdir.meta_path("cli.tfrc")
            write_private(env["TF_CLI_CONFIG_FILE"], cli_config(mirror))
        endpoint = self._endpoint_url()
        if endpoint:
            env["AWS_ENDPOINT_URL"] = endpoint
        return env

    def _plugin_cache_dir(self):
        """The shared plugin cache dir (TF_PLUGIN_CACHE_DIR); empty when set to "" (no cache)."""
        cache = self.spec.plugin_cache_dir
        return default_plugin_cache_dir() if cache is None else cache

    def _endpoint_url(self):
        aws = self.spec.aws_provider or {}
        backend = self.spec.backend or {}
        return (aws.get("endpoint_url") or backend.get("endpoint_url")
                or (backend.get("endpoints") or {}).get("s3"))

    def _generate(self, info):
        spec, wd = self.spec, self.workdir
        layout = {key: info[key] for key in ("backend", "modules", "providers", "needs_providers")}
        block = backend_block(spec.backend, (spec.backend or {}).get("key"), self.tf, spec.allow_unlocked)
        if block:
            if layout["backend"] not in (None, "s3"):
                raise InputError("unit %s: module %s declares a %r backend; the unit's backend is S3: remove "
                                 "the module's backend block" % (spec.name, spec.source, layout["backend"]))
            # An override file merges into a backend block the module declares itself.
            wd.remove_generated("backend.tf.json" if layout["backend"] else "backend_override.tf.json")
            wd.write_generated("backend_override.tf.json" if layout["backend"] else "backend.tf.json",
                               {"terraform": {"backend": {"s3": block}}})
        else:
            wd.remove_generated("backend.tf.json")
            wd.remove_generated("backend_override.tf.json")
        aws = spec.aws_provider or {}
        wanted = aws.get("enabled", "auto")
        uses_aws = info["uses_aws"] if wanted in ("auto", None) else bool(wanted)
        if uses_aws:
            attrs = provider_block(aws, self._endpoint_url())
            own = "aws" in info["own_provider_blocks"]
            # Never clobber a module's own provider block: merge ours in as an override.
            wd.remove_generated("provider.tf.json" if own else "provider_override.tf.json")
            wd.write_generated("provider_override.tf.json" if own else "provider.tf.json",
                               {"provider": {"aws": attrs}})
        else:
            wd.remove_generated("provider.tf.json")
            wd.remove_generated("provider_override.tf.json")
        layout["backend_block"] = block
        layout["uses_aws"] = uses_aws
        layout["provider_block"] = attrs if uses_aws else None
        return layout

    def _write_inputs(self):
        if not self.spec.inputs:
            return None
        path = os.path.join(self.workdir.meta, "inputs.tfvars.json")
        write_private(path, json.dumps(self.spec.inputs, sort_keys=True))
        return path

    def _init_if_needed(self, layout):
        spec, wd = self.spec, self.workdir
        state = {
            "backend": layout["backend_block"],
            "modules": layout["modules"],
            "providers": layout["providers"],
            "uses_aws": layout["uses_aws"],
            "terraform": self.tf.as_dict(),
            "mirror": spec.provider_mirror,
            # A lock file shipped with the source pins providers: a new one means a new init.
            "lock": _read(os.path.join(wd.source_root, wd.subdir, ".terraform.lock.hcl")),
        }
        wanted = fingerprint(state)
        previous = wd.read_meta("init.json", {})
        dot_terraform = os.path.join(wd.run_dir, ".terraform")
        # A module with only built-in providers and local state gets no .terraform at all.
        initialised = bool(previous) and (os.path.isdir(dot_terraform) or not previous.get("dot_terraform"))
        if initialised and previous.get("fingerprint") == wanted:
            self.result["init"] = "skipped"
            return
        reconfigure = migrate = False
        backend_changed = initialised and previous.get("backend") != layout["backend_block"]
        if backend_changed and previous.get("backend") is not None:
            if spec.backend_change == "fail":
                raise InputError(
                    "unit %s: its backend changed since the last init (%s -> %s); set backend_change: migrate to "
                    "copy the state to the new backend, or backend_change: reconfigure to start from the new "
                    "backend's state (the old state stays where it is)"
                    % (spec.name, describe_backend(previous.get("backend")), describe_backend(layout["backend_block"])))
            reconfigure = spec.backend_change == "reconfigure"
            migrate = spec.backend_change == "migrate"
        elif backend_changed:
            reconfigure = True  # from local/no backend to the S3 one on a fresh work dir
        argv = cli.init_argv(self.tf.path, reconfigure=reconfigure, migrate_state=migrate,
                             upgrade=bool(previous) and previous.get("providers") != state["providers"])
        # Only inits that install providers write to the shared cache; the rest need no lock.
        needs_providers = layout["needs_providers"] or layout["uses_aws"]
        with _plugin_cache_lock(self.runner.env.get("TF_PLUGIN_CACHE_DIR") if needs_providers else None,
                                background=self.runner.niceness > 0):
            result = self.runner.run(argv)
        if result.rc != 0:
            raise self._init_error(result)
        wd.write_meta("init.json", {"fingerprint": wanted, "backend": layout["backend_block"],
                                    "providers": state["providers"], "at": time.time(),
                                    "dot_terraform": os.path.isdir(dot_terraform)})
        self.result["init"] = "migrated" if migrate else "reconfigured" if reconfigure else "ran"

    def _init_error(self, result):
        text = result.stdout + result.stderr
        errors = result.errors
        first = errors[0].one_line() if errors else " ".join(text.split())[-400:]
        name = self.spec.name
        known = self._digest_error(text) or self._credentials_error(text, result.rc)
        if known:
            return known
        if re.search(r"NoSuchBucket|bucket does not exist|S3 bucket \S+ does not exist", text):
            bucket = (self.spec.backend or {}).get("bucket")
            return TerraformError("unit %s: the state bucket %s does not exist; bootstrap the backend first "
                                  "(ansible-playbook playbooks/bootstrap.yml -i <inventory>, or the "
                                  "groundwork.terraform.state_backend module)" % (name, bucket), rc=result.rc)
        if re.search(r"StatusCode: 403|AccessDenied|Forbidden", text):
            backend = self.spec.backend or {}
            return TerraformError(
                "unit %s: access denied to the state s3://%s/%s; the credentials may not read it, or a bucket "
                "policy denies the request (a TLS-only policy denies a plain-http endpoint: bootstrap it with "
                "enforce_tls false for local endpoints)" % (name, backend.get("bucket"), backend.get("key")),
                rc=result.rc)
        provider = re.search(r"(?:Failed to query available provider packages|Failed to install provider|"
                             r"Incompatible provider version).*?provider\s+([\w./-]*\w)", text, re.S)
        if provider:
            return TerraformError("unit %s: terraform init could not install provider %s; make it available "
                                  "from a registry, or lay it out as a filesystem mirror and set provider_mirror "
                                  "(inventory: terraform_provider_mirror)" % (name, provider.group(1)), rc=result.rc)
        return TerraformError("unit %s: terraform init failed: %s" % (name, first), rc=result.rc,
                              command=" ".join(result.argv[1:]))

    def _force_unlock(self):
        result = self.runner.run(cli.force_unlock_argv(self.tf.path, self.spec.force_unlock))
        if result.rc != 0:
            errors = result.errors
            raise TerraformError("unit %s: force-unlock of lock %s refused: %s"
                                 % (self.spec.name, self.spec.force_unlock,
                                    errors[0].one_line() if errors else (result.stderr or result.stdout).strip()),
                                 rc=result.rc)
        self.result.update(changed=True, unlocked=self.spec.force_unlock)
        return self.result

    def _converged_key(self, layout):
        """What a deploy that ends with nothing to change is made of: module files, generated
        backend and provider, inputs, targets, terraform. A later deploy with the same key
        expects no change; one with another key expects changes (a hash: inputs may be secret)."""
        spec = self.spec
        return fingerprint({"source": self.workdir.source_signature, "backend": layout["backend_block"],
                            "provider": layout["provider_block"], "inputs": spec.inputs,
                            "targets": list(spec.targets or ()), "replace": list(spec.replace or ()),
                            "terraform": [self.tf.flavor, self.tf.version_string]})

    def _applies_directly(self, layout):
        """One ``apply -auto-approve`` instead of ``plan -out`` + apply of that plan, when the
        separate plan decides nothing: a deploy (or destroy) that applies whatever it plans,
        i.e. allow_destroy true, no mocked inputs, no check or diff mode; and changes are
        expected (a destroy, or a deploy whose converged key differs from the last converged
        run of this work dir). It saves a terraform process, a lock round trip and a provider
        start per changed unit; a warm no-op unit still only plans. Same safety: terraform
        plans and applies under one lock, so there is no stale-plan window at all.
        """
        spec = self.spec
        if self.check_mode or self.diff or spec.state == "planned" or not self.tf.supports("json_ui"):
            return False
        if spec.state == "absent":
            return True
        if not spec.allow_destroy or spec.mocked_inputs:
            return False
        return (self.workdir.read_meta(CONVERGED_META) or {}).get("key") != self._converged_key(layout)

    def _apply_directly(self, var_file, layout):
        spec = self.spec
        destroy = spec.state == "absent"
        self._forget_converged()  # until this apply succeeds, the state may be anywhere
        argv = cli.direct_apply_argv(self.tf.path, var_file=var_file, destroy=destroy, targets=spec.targets,
                                     replace=spec.replace, lock_timeout=spec.lock_timeout,
                                     parallelism=spec.parallelism)
        result = self._run_locking(argv, True)
        plan = summarize(result.events, destroy)
        plan["has_changes"] = bool(plan["resource_changes"] or plan["output_changes"] or plan["add"]
                                   or plan["change"] or plan["destroy"])
        plan["applied_directly"] = True
        self.result["plan"] = plan
        self._applied(result, plan)
        if not destroy:
            self._remember_converged(layout)

    def _remember_converged(self, layout):
        if self.spec.state == "present" and not self.check_mode:
            self.workdir.write_meta(CONVERGED_META, {"key": self._converged_key(layout), "at": time.time()})

    def _forget_converged(self):
        path = self.workdir.meta_path(CONVERGED_META)
        if os.path.exists(path):
            os.remove(path)

    def _plan_and_apply(self, var_file, layout):
        spec = self.spec
        destroy = spec.state == "absent"
        json_ui = self.tf.supports("json_ui")
        plan_path = os.path.join(self.workdir.meta, "current.tfplan")
        if os.path.exists(plan_path):  # outputs may be read from it: never from an earlier run's
            os.remove(plan_path)
        result = self._run_locking(cli.plan_argv(
            self.tf.path, plan_path, var_file=var_file, destroy=destroy, targets=spec.targets,
            replace=spec.replace, lock_timeout=spec.lock_timeout, parallelism=spec.parallelism,
            json_ui=json_ui), json_ui)
        if result.rc not in (0, 2):
            raise self._run_error("plan", result)
        has_changes = result.rc == 2
        plan = summarize(result.events, destroy)
        plan["has_changes"] = has_changes
        if spec.mocked_inputs:
            plan["mocked_inputs"] = sorted(spec.mocked_inputs)
        self.result["plan"] = plan
        if has_changes and os.path.exists(plan_path):
            os.chmod(plan_path, 0o600)
            if self.diff:
                self.result["diff"] = self._plan_diff(plan_path)
        self._refuse_destroy(plan)
        resource_or_output_changes = bool(plan["resource_changes"] or plan["output_changes"])
        if spec.state == "planned" or self.check_mode:
            self.result["changed"] = has_changes and resource_or_output_changes
            if spec.plan_file and has_changes:
                self._save_plan(plan_path, plan)
            self._outputs_from_state(plan_path)
            return
        if not has_changes:
            self._outputs_from_state(plan_path)
            self._remember_converged(layout)
            return
        self._forget_converged()
        self._apply(plan_path, plan)
        self._remember_converged(layout)

    def _apply_saved_plan(self):
        spec = self.spec
        if not os.path.exists(spec.plan_file):
            raise InputError("unit %s: plan_file %s does not exist; make it with state: planned" % (spec.name, spec.plan_file))
        meta = _read_json(spec.plan_file + ".json") or {}
        if meta.get("mocked_inputs"):
            raise InputError("unit %s: plan_file %s was made with mock outputs for %s; it is never applied: "
                             "re-plan now that the dependencies exist"
                             % (spec.name, spec.plan_file, ", ".join(meta["mocked_inputs"])))
        plan = meta.get("plan") or {}
        self.result["plan"] = plan
        self._refuse_destroy(plan)
        self._apply(os.path.abspath(spec.plan_file), plan, saved=True)

    def _run_locking(self, argv, json_ui):
        """Run a command that takes the state lock, honouring lock_timeout despite a terraform bug.

        Waiting on a DynamoDB lock, terraform gives up with "unexpected end of JSON input" when
        the holder releases the lock between terraform's failed PutItem and its read of the
        holder's info (hashicorp/terraform#32690). It took no lock and changed nothing then, so
        the command runs again while the lock_timeout lasts.
        """
        deadline = time.monotonic() + duration_seconds(self.spec.lock_timeout)
        while True:
            result = self.runner.run(argv, json_events=json_ui)
            lost_race = result.rc not in (0, 2) and any(
                "acquiring the state lock" in d.summary.lower() and "unexpected end of JSON input" in d.detail
                for d in result.errors)
            if not lost_race or time.monotonic() >= deadline:
                return result

    def _apply(self, plan_path, plan, saved=False):
        json_ui = self.tf.supports("json_ui")
        result = self._run_locking(cli.apply_argv(self.tf.path, plan_path, lock_timeout=self.spec.lock_timeout,
                                                  parallelism=self.spec.parallelism, json_ui=json_ui), json_ui)
        self._applied(result, plan, saved=saved, plan_path=plan_path)

    def _applied(self, result, plan, saved=False, plan_path=None):
        """After an apply process: errored.tfstate, errors, changed, applied counts, outputs."""
        errored = os.path.join(self.workdir.run_dir, "errored.tfstate")
        if os.path.exists(errored):
            os.chmod(errored, 0o600)
        if result.rc != 0:
            self.result["changed"] = bool(result.events.summary and any(
                result.events.summary.get(k) for k in ("add", "change", "remove")))
            if any("stale" in d.summary.lower() for d in result.errors):
                raise TerraformError("unit %s: the saved plan %s is stale: the state changed since it was made; "
                                     "make a new plan (nothing was applied)" % (self.spec.name, plan_path),
                                     rc=result.rc)
            if os.path.exists(errored):
                released = [d for d in result.errors if "releasing the state lock" in d.summary.lower()]
                lock_id = None
                for diag in released:
                    match = re.search(r'lock ID "([^"]+)"', diag.detail)
                    lock_id = lock_id or (match.group(1) if match else None)
                self.workdir.write_meta("errored.json", {"lock_left": bool(released), "lock_id": lock_id,
                                                         "at": time.time()})
                self._refuse_errored_state()
            raise self._run_error("apply", result)
        self.result["changed"] = bool(plan.get("resource_changes") or plan.get("output_changes")) or saved
        applied = result.events.summary or {}
        self.result["applied"] = {k: applied.get(k, 0) for k in ("add", "change", "remove", "import")}
        # the applied outputs carry values; an apply that planned too reported planned ones first
        outputs = result.events.outputs if result.events.outputs is not result.events.planned_outputs else None
        needs_pull = outputs is None or (self.spec.return_sensitive_outputs and any(
            o.get("sensitive") for o in outputs.values()))
        if needs_pull:
            self._outputs_from_state()
        else:
            self._set_outputs({n: {"value": o.get("value"), "sensitive": bool(o.get("sensitive"))}
                               for n, o in outputs.items()})

    def _save_plan(self, plan_path, plan):
        target = os.path.abspath(self.spec.plan_file)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(plan_path, target)
        os.chmod(target, 0o600)
        write_private(target + ".json", json.dumps({"unit": self.spec.name, "plan": plan,
                                                    "mocked_inputs": sorted(self.spec.mocked_inputs)}))
        self.result["plan_file"] = target

    def _plan_diff(self, plan_path):
        result = self.runner.run(cli.show_json_argv(self.tf.path, plan_path))
        if result.rc != 0:
            raise self._run_error("show", result)
        return diff_from_plan_json(json.loads(result.stdout))

    def _refuse_destroy(self, plan):
        if self.spec.allow_destroy or plan.get("destroy_plan"):
            return
        doomed = [rc["address"] for rc in plan.get("resource_changes", []) if "delete" in rc["actions"]]
        if doomed:
            raise TerraformError("unit %s: the plan deletes or replaces %s while allow_destroy is false; nothing "
                                 "was applied" % (self.spec.name, ", ".join(doomed)), plan=plan)

    def _outputs_from_state(self, plan_path=None):
        """Outputs (and serial, resource count) of the unit's state.

        After a plan that applies nothing, the state the plan was made against is the state: it
        is read from the plan file this run just wrote, which saves a ``state pull`` process
        (0.2-1.6 s, measured in docs/PERFORMANCE.md). ``state pull`` when that is not readable.
        """
        if self.spec.state == "absent" and not self.check_mode:
            self._set_outputs({})
            return
        state = cli.state_from_plan_file(plan_path) if plan_path else None
        if state is not None:
            self.result["outputs_from"] = "plan"
        else:
            result = self.runner.run(cli.state_pull_argv(self.tf.path))
            if result.rc != 0:
                raise self._run_error("state pull", result)
            state = json.loads(result.stdout) if result.stdout.strip() else {}
            self.result["outputs_from"] = "state pull"
        self.result["state_serial"] = state.get("serial")
        self.result["resource_count"] = sum(len(r.get("instances", [])) for r in state.get("resources", [])
                                            if r.get("mode") == "managed")
        self._set_outputs(outputs_from_state(state))

    def _set_outputs(self, outputs):
        if not self.spec.return_sensitive_outputs:
            # Masked in the result; also keep them out of any message. When they are returned on
            # purpose the caller's no_log protects them (no_log_values would mask them to nothing).
            for out in outputs.values():
                if out.get("sensitive"):
                    self.secrets |= secret_strings(out.get("value"))
        values, sensitive = mask_outputs(outputs, self.spec.return_sensitive_outputs)
        self.result["outputs"] = values
        self.result["sensitive_outputs"] = sensitive

    def _run_error(self, command, result):
        errors = result.errors
        name = self.spec.name
        if result.rc < 0:  # killed (kill -9, OOM killer): terraform said nothing
            signame = {9: "SIGKILL", 15: "SIGTERM", 2: "SIGINT", 6: "SIGABRT"}.get(-result.rc, "signal")
            return TerraformError(
                "unit %s: terraform %s was killed by signal %d (%s) before it finished: it could not save its last "
                "changes or release its state lock; the next run names a lock left behind and how to release it "
                "(log: %s)" % (name, command, -result.rc, signame, self.result.get("log_path")), rc=result.rc)
        for diag in errors:
            if "acquiring the state lock" in diag.summary.lower():
                lock = parse_lock_info(diag.detail)
                lock["age_seconds"] = lock_age(lock.get("created"))
                lock_id = lock.get("id", "<lock id>")
                # Taken on this host while this very command ran: most likely terraform's own lock,
                # left behind when the AWS SDK resent its lock request after a network error.
                own = lock.get("who") == _who() and lock["age_seconds"] is not None \
                    and lock["age_seconds"] <= result.duration + 2
                return LockHeldError(
                    "unit %s: the state lock is held: ID %s, held by %s for %s since %s (%s ago); wait for it or "
                    "raise lock_timeout; if that run is dead (no terraform runs for this unit any more) release the "
                    "lock: %s (or the unit module's force_unlock: %s)%s"
                    % (name, lock.get("id", "?"), lock.get("who", "?"), lock.get("operation", "?"),
                       lock.get("created", "?"), format_age(lock["age_seconds"]), unlock_command(name, lock_id),
                       lock_id, "; it was taken on this host while this command ran: if nothing else runs this unit "
                       "here, terraform left its own lock after resending the lock request (hashicorp/terraform"
                       "#16630)" if own else ""), lock=lock, rc=result.rc)
        known = self._digest_error(" ".join(d.summary + " " + d.detail for d in errors) or result.stdout) \
            or self._credentials_error(" ".join(d.summary + " " + d.detail for d in errors), result.rc)
        if known:
            return known
        if errors:
            message = "; ".join(d.one_line() for d in errors[:3])
        else:
            message = " ".join((result.stderr or result.stdout).split())[-400:] or "exit code %d" % result.rc
        return TerraformError("unit %s: terraform %s failed: %s (log: %s)" % (name, command, message,
                                                                              self.result.get("log_path")),
                              rc=result.rc, command=" ".join(result.argv[1:3]))

    def _credentials_error(self, text, rc):
        match = CREDENTIALS_REFUSED.search(text or "")
        if not match:
            return None
        backend = self.spec.backend or {}
        return TerraformError(
            "unit %s: the AWS credentials for the state s3://%s/%s are missing, wrong or expired (%s); check "
            "AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN" % (
                self.spec.name, backend.get("bucket"), backend.get("key"), match.group(0)), rc=rc)

    def _digest_error(self, text):
        found = parse_digest_mismatch(text)
        if not found:
            return None
        backend = self.spec.backend or {}
        where = "s3://%s/%s" % (found["bucket"] or backend.get("bucket"), found["key"] or backend.get("key"))
        if found["calculated"]:
            what = ("the state %s does not match the digest terraform recorded for it: the object's MD5 is %s, the "
                    "digest in lock table %s is %s - the object was changed behind terraform's back"
                    % (where, found["calculated"], backend.get("dynamodb_table"), found["stored"]))
        else:
            what = ("the state %s is missing while lock table %s still holds its digest %s - the object was deleted "
                    "behind terraform's back" % (where, backend.get("dynamodb_table"), found["stored"]))
        return TerraformError(
            "unit %s: %s (terraform retried for 10s, so this is not S3 being slow); nothing was written. List the "
            "state's versions and restore the right one, which also fixes the digest: ansible-playbook "
            "groundwork.terraform.restore -i <inventory> -e unit=%s [-e version_id=<id>]"
            % (self.spec.name, what, self.spec.name), digest=found)

    def _finish(self):
        self.result["duration"] = round(time.monotonic() - self.started, 3)
        if self.runner is not None:
            self.result["terraform_processes"] = self.runner.started
            self.result["terraform_commands"] = list(self.runner.commands)
        self.result.secrets = set(self.secrets)


def _who():
    """user@host as terraform writes it into lock info."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (some containers)
        user = ""
    return "%s@%s" % (user, socket.gethostname())


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def _read_json(path):
    text = _read(path)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class _plugin_cache_lock:
    """terraform's plugin cache is not safe for concurrent inits: serialise them (init is rare).

    An init needed now goes before inits done ahead of need (``background``): it holds a shared
    lock on a gate file from before it queues until its init is done, and a background init
    passes the gate (an exclusive lock, released at once) only when no such init waits or runs.
    Without the gate a unit whose dependencies just finished could queue behind the inits of
    units that need theirs only later.
    """

    def __init__(self, cache_dir, background=False):
        self.path = os.path.join(cache_dir, ".groundwork-init.lock") if cache_dir else None
        self.gate_path = os.path.join(cache_dir, ".groundwork-init-now.lock") if cache_dir else None
        self.background = background
        self.handle = self.gate = None

    def __enter__(self):
        if not self.path:
            return self
        gate = open(self.gate_path, "a")
        try:
            if self.background:
                fcntl.flock(gate, fcntl.LOCK_EX)  # waits while an init needed now waits or runs
                fcntl.flock(gate, fcntl.LOCK_UN)
                gate.close()
            else:
                fcntl.flock(gate, fcntl.LOCK_SH)
                self.gate = gate
            self.handle = open(self.path, "a")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        except BaseException:
            self.__exit__()
            gate.close()
            raise
        return self

    def __exit__(self, *exc):
        for handle in (self.handle, self.gate):
            if handle and not handle.closed:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
        self.handle = self.gate = None
        return False


__all__ = ["UnitSpec", "UnitRunner", "GroundworkError"]
