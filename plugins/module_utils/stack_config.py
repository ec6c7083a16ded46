# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From inventory variables to a unit's resolved settings, in one tested place.

The inventory is the hierarchy (account/region/env groups, one host per unit); Ansible's
variable precedence has already merged it when ``hostvars`` reach us. This module turns one
unit's variables into what the ``unit`` module needs: module source, backend (with the
default state key), AWS provider settings, work dir, dependencies, mocks, caps.
"""
from __future__ import annotations

import hashlib
import os
import re

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import backend_config

DEFAULT_KEY_TEMPLATE = "{env_name}/{aws_region}/{unit}/terraform.tfstate"
_TRUE = ("yes", "on", "1", "true", "y", "t")
_FALSE = ("no", "off", "0", "false", "n", "f", "")


def as_bool(value, name, unit):
    """Normalise 'yes'/'True'/1 style booleans; reject nonsense with the variable named."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError("unit %s: %s must be a boolean (true/false, yes/no), not %r" % (unit, name, value))


def _unset_default(value, default):
    return default if value is None else value


def _require_type(value, kind, name, unit, default):
    if value is None:
        return default
    if not isinstance(value, kind):
        raise InputError("unit %s: %s must be a %s, not %s %r" % (
            unit, name, {dict: "mapping", list: "list", str: "string"}.get(kind, kind.__name__),
            type(value).__name__, value))
    return value


def collection_root():
    """The collection's root: terraform-modules/ ships beside plugins/, checked out or installed."""
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def unit_work_dir(work_root, unit, bucket, key, env_name=None, region=None, inventory_dir=None):
    """One work dir per state, so units of different stacks never share one.

    S3 state: ``units/<bucket>/<key without /terraform.tfstate>``: two inventories with the same
    env_name and region but their own buckets get their own dirs (one dir would make terraform
    take one's backend for the other's), two that name the same state share it. Local state lives
    in the work dir itself, so it is kept per inventory directory:
    ``units/local-state/<inventory dir name>-<hash of its path>/<env>/<region>/<unit>``.
    """
    root = os.path.join(os.path.abspath(work_root), "units")
    if bucket:
        state_dir = key[:-len("/terraform.tfstate")] if key.endswith("/terraform.tfstate") else key
        return os.path.join(root, bucket, *state_dir.split("/"))
    inventory = os.path.abspath(inventory_dir) if inventory_dir else ""
    tag = "%s-%s" % (os.path.basename(inventory) or "inventory", hashlib.sha256(inventory.encode()).hexdigest()[:8])
    return os.path.join(root, "local-state", tag, env_name or "default", region or "any", unit)


def resolve_unit(unit, hv, project_dir):
    """Resolved settings of ``unit`` from its merged variables ``hv``."""
    module = hv.get("unit_module")
    if not module:
        raise InputError("unit %s has no unit_module: set it to a module under terraform_modules_dir, or a path"
                         % unit)
    if not isinstance(module, str):
        raise InputError("unit %s: unit_module must be a string, not %r" % (unit, module))
    modules_dir = hv.get("terraform_modules_dir") or os.path.join(collection_root(), "terraform-modules")
    modules_dir = os.path.abspath(os.path.join(project_dir, os.path.expanduser(modules_dir)))
    root, _sep, sub = module.partition("//")
    source_root = root if os.path.isabs(root) else os.path.join(modules_dir, root)
    source = source_root + ("//" + sub if sub else "")
    if not os.path.isdir(os.path.join(source_root, sub)):
        available = sorted(d for d in os.listdir(modules_dir) if os.path.isdir(os.path.join(modules_dir, d))) \
            if os.path.isdir(modules_dir) else []
        raise InputError("unit %s: module %r not found in %s (unit_module); available: %s"
                         % (unit, module, modules_dir, ", ".join(available) or "none"))

    dependencies = _require_type(hv.get("unit_dependencies"), list, "unit_dependencies", unit, [])
    inputs = _require_type(hv.get("unit_inputs"), dict, "unit_inputs", unit, {})
    mocks = _require_type(hv.get("unit_mock_outputs"), dict, "unit_mock_outputs", unit, {})
    env_name = hv.get("env_name")
    region = hv.get("aws_region")
    endpoint = hv.get("aws_endpoint_url") or None

    backend = None
    key = None
    bucket = hv.get("tf_state_bucket")
    if bucket:
        missing = [name for name, value in (("env_name", env_name), ("aws_region", region)) if not value]
        if missing and not hv.get("unit_state_key"):
            raise InputError("unit %s: %s must be set to derive its state key (or set unit_state_key)"
                             % (unit, " and ".join(missing)))
        key = hv.get("unit_state_key") or DEFAULT_KEY_TEMPLATE.format(env_name=env_name, aws_region=region, unit=unit)
        if key.startswith("/") or "//" in key or ".." in key.split("/"):
            raise InputError("unit %s: state key %r must not start with '/' or contain '//' or a '..' segment"
                             % (unit, key))
        backend = backend_config(bucket, region or "us-east-1", hv.get("tf_lock_table") or None,
                                 hv.get("tf_state_kms_key_id") or None, endpoint)
        backend["key"] = key
    elif not as_bool(hv.get("allow_local_state", False), "allow_local_state", unit):
        raise InputError("unit %s has no tf_state_bucket: set it (and tf_lock_table) in the inventory, or "
                         "allow_local_state: true for throwaway local state" % unit)

    aws_provider = {"region": region, "endpoint_url": endpoint,
                    "assume_role_arn": hv.get("aws_assume_role_arn") or None,
                    "default_tags": _require_type(hv.get("aws_default_tags"), dict, "aws_default_tags", unit, {}) or None}
    if hv.get("aws_account_id") and not endpoint:
        aws_provider["allowed_account_ids"] = [str(hv["aws_account_id"])]
    work_root = hv.get("groundwork_work_root") or os.path.join(project_dir, ".groundwork")
    work_dir = unit_work_dir(work_root, unit, bucket, key, env_name, region, hv.get("inventory_dir"))

    limit = hv.get("unit_concurrency_limit")
    if limit is not None:
        try:
            limit = int(limit)
        except (TypeError, ValueError):
            raise InputError("unit %s: unit_concurrency_limit must be a whole number, not %r" % (unit, limit))
    return {
        "name": unit,
        "source": source,
        "module_dir": os.path.join(source_root, sub),
        "dependencies": [str(d) for d in dependencies],
        "inputs_declared": sorted(inputs),
        "mock_outputs": mocks,
        "backend": backend,
        "state_key": key,
        "work_dir": work_dir,
        "aws_provider": {k: v for k, v in aws_provider.items() if v is not None},
        "terraform_binary": hv.get("terraform_binary") or None,
        "provider_mirror": hv.get("terraform_provider_mirror") or None,
        "plugin_cache_dir": hv.get("terraform_plugin_cache_dir") or None,
        "destroy_protection": as_bool(hv.get("destroy_protection", False), "destroy_protection", unit),
        # stack_run hands every known name over, unset ones as None: None means "not set" here.
        "allow_destroy": as_bool(_unset_default(hv.get("unit_allow_destroy"), True), "unit_allow_destroy", unit),
        # e.g. a service the local endpoint does not emulate: planned on deploy, never applied
        "plan_only": as_bool(hv.get("unit_plan_only", False), "unit_plan_only", unit),
        "concurrency_group": hv.get("unit_concurrency_group") or None,
        "concurrency_limit": limit,
        "env_name": env_name,
    }


_DEP_REF = re.compile(r"dependency(?:\.([A-Za-z0-9_]+)|\[['\"]([^'\"]+)['\"]\])(?:\.([A-Za-z0-9_]+)|\[['\"]([^'\"]+)['\"]\])?")


def dependency_references(raw):
    """(unit, output) pairs referenced as dependency.<unit>.<output> in raw input values."""
    found = set()
    if isinstance(raw, dict):
        for value in raw.values():
            found |= dependency_references(value)
    elif isinstance(raw, (list, tuple)):
        for value in raw:
            found |= dependency_references(value)
    elif isinstance(raw, str):
        for match in _DEP_REF.finditer(raw):
            found.add((match.group(1) or match.group(2), match.group(3) or match.group(4)))
    return found
