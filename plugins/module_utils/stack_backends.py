# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The distinct state backends of a stack's units, each ensured once, on the controller.

Used by the ``stack_run`` action (deploy bootstraps after validating the whole stack) and by
the ``stack_backends`` action behind the ``backend`` role / ``bootstrap.yml``: one code path,
in-process, however many units share a backend.

A backend is identified by (bucket, region, lock table, endpoint); units sharing one must
agree on its settings, or the settings applied would depend on which unit came first.
Units without ``tf_state_bucket`` that set ``allow_local_state`` keep local state: no backend.

A verified marker (``<marker_dir>/<sha256 of the settings>.json``) records that a backend was
ensured with exactly these settings; for ``max_age`` seconds after that, a run only checks the
bucket is reachable (stack_run's preflight: STS + HeadBucket) instead of re-reading every
bucket and table setting. Any change of a setting changes the hash, so it is ensured again.
"""
from __future__ import annotations

import hashlib
import json
import os
import time

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError, InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.stack_config import as_bool
from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import write_private

# Settings a unit may override per backend (inventory tf_state_<name>), with their built-in
# defaults; the backend role's backend_<name> variables override these defaults.
SETTING_DEFAULTS = {
    "versioning": True,
    "encryption": "AES256",
    "kms_key_id": None,
    "block_public_access": True,
    "enforce_tls": True,
    "access_log_bucket": None,
    "access_log_prefix": None,
    "noncurrent_version_expiration_days": None,
    "point_in_time_recovery": True,
    "tags": None,
}
_BOOLS = ("versioning", "block_public_access", "enforce_tls", "point_in_time_recovery")
# Inventory variables a unit's backend is made of (stack_run templates these per unit).
UNIT_VARIABLES = ("tf_state_bucket", "tf_lock_table", "aws_region", "aws_endpoint_url", "allow_local_state") + \
    tuple("tf_state_%s" % name for name in SETTING_DEFAULTS) + \
    tuple("backend_%s" % name for name in SETTING_DEFAULTS) + ("backend_profile",)
DEFAULT_MAX_AGE = 86400
MARKER_VERSION = 1


def unit_settings(unit, hv, defaults=None):
    """The backend settings of one unit from its variables ``hv``; None when it keeps local state.

    Precedence per setting: the unit's ``tf_state_<name>``, then ``defaults[name]`` (the role's
    ``backend_<name>``), then the unit's own ``backend_<name>`` variable, then the built-in default.
    """
    defaults = defaults or {}
    bucket = hv.get("tf_state_bucket")
    if not bucket:
        if as_bool(hv.get("allow_local_state", False), "allow_local_state", unit):
            return None
        raise InputError("unit %s names no state bucket (set tf_state_bucket, or allow_local_state: true for "
                         "throwaway local state)" % unit)
    settings = {"bucket": str(bucket), "lock_table": hv.get("tf_lock_table") or None,
                "region": hv.get("aws_region") or None, "endpoint_url": hv.get("aws_endpoint_url") or None}
    for name, builtin in SETTING_DEFAULTS.items():
        value = hv.get("tf_state_%s" % name)
        if value is None:
            value = defaults.get(name)
        if value is None:
            value = hv.get("backend_%s" % name)
        if value is None:
            value = builtin
        settings[name] = _normalise(unit, name, value)
    return settings


def _normalise(unit, name, value):
    if name in _BOOLS:
        return as_bool(value, "tf_state_%s" % name, unit)
    if name == "noncurrent_version_expiration_days":
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise InputError("unit %s: tf_state_noncurrent_version_expiration_days must be a whole number, not %r"
                             % (unit, value))
    if name == "tags":
        if not value:
            return None
        if not isinstance(value, dict):
            raise InputError("unit %s: tf_state_tags must be a mapping, not %r" % (unit, value))
        return dict((str(k), "" if v is None else str(v)) for k, v in value.items())
    if name == "encryption":
        return str(value or "AES256")
    return str(value) if value not in (None, "") else None


def backend_id(settings):
    return "|".join([settings["bucket"], settings.get("region") or "", settings.get("lock_table") or "",
                     settings.get("endpoint_url") or ""])


def plan_backends(sources):
    """Distinct backends of ``sources`` [(where, settings or None)]: backends, units -> index, problems.

    ``where`` is a unit name, or a description such as "backend_list entry 2" (then no unit maps to it).
    """
    backends, index, users, units, local, problems = [], {}, {}, {}, [], []
    for where, settings in sources:
        label = "unit %s" % where if isinstance(where, str) else where[1]
        if settings is None:
            local.append(where)
            continue
        ident = backend_id(settings)
        if ident in index:
            known = backends[index[ident]]
            differ = [key for key in settings if settings[key] != known[key]]
            if differ:
                problems.append("%s and %s share the backend %s but set different %s"
                                % (label, users[ident], ident, ", ".join(differ)))
        else:
            index[ident] = len(backends)
            users[ident] = label
            backends.append(dict(settings, id=ident))
        if isinstance(where, str):
            units[where] = index[ident]
    return {"backends": backends, "units": units, "local_units": local, "problems": problems}


def plan_unit_backends(units_vars, defaults=None):
    """plan_backends of units ``{unit: variables}``; a unit's bad setting is a problem, not a crash."""
    sources, problems = [], []
    for unit, hv in units_vars.items():
        try:
            sources.append((unit, unit_settings(unit, hv, defaults)))
        except InputError as exc:
            problems.append(exc.message)
    plan = plan_backends(sources)
    plan["problems"] = problems + plan["problems"]
    return plan


def plan_listed_backends(entries, defaults=None):
    """plan_backends of backends given directly (the role's backend_list)."""
    sources = []
    for number, entry in enumerate(entries, 1):
        where = ("backend_list", "backend_list entry %d" % number)
        if not isinstance(entry, dict) or not entry.get("bucket"):
            raise InputError("%s names no bucket: each entry needs bucket (and lock_table, region, ...)" % where[1])
        hv = {"tf_state_bucket": entry.get("bucket"), "tf_lock_table": entry.get("lock_table"),
              "aws_region": entry.get("region"), "aws_endpoint_url": entry.get("endpoint_url")}
        hv.update(("tf_state_%s" % name, entry.get(name)) for name in SETTING_DEFAULTS)
        sources.append((where, unit_settings(where[1], hv, defaults)))
    return plan_backends(sources)


# ------------------------------------------------------------------------------ ensure

def marker_path(marker_dir, settings, profile=None):
    data = dict(settings, profile=profile, version=MARKER_VERSION)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return os.path.join(marker_dir, "%s.json" % digest)


def verified_recently(marker_dir, settings, profile=None, max_age=DEFAULT_MAX_AGE, now=None):
    """Whether a previous run ensured exactly these settings less than ``max_age`` seconds ago."""
    if not marker_dir or not max_age or max_age <= 0:
        return False
    try:
        with open(marker_path(marker_dir, settings, profile)) as handle:
            marker = json.load(handle)
    except (OSError, ValueError):
        return False
    verified = marker.get("verified_at")
    now = time.time() if now is None else now
    return isinstance(verified, (int, float)) and 0 <= now - verified < max_age


def remember_verified(marker_dir, settings, profile=None):
    os.makedirs(marker_dir, mode=0o700, exist_ok=True)
    write_private(marker_path(marker_dir, settings, profile),
                  json.dumps({"settings": settings, "verified_at": time.time()}, sort_keys=True, default=str))


def forget_verified(marker_dir, settings, profile=None):
    try:
        os.remove(marker_path(marker_dir, settings, profile))
    except OSError:
        pass


def ensure_backends(plan, state="present", profile=None, force=False, check_mode=False, diff=False,
                    marker_dir=None, recheck=True, max_age=DEFAULT_MAX_AGE, ensure=None):
    """Ensure every backend of ``plan`` once; returns (results, warnings), one result per backend.

    With ``recheck`` false, a backend verified with identical settings within ``max_age`` is
    not read again (result ``verified_earlier: true``); the caller checks it is reachable.
    """
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AWS_CONNECTION_SPEC
    from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import (
        STATE_BACKEND_SPEC, backend_config, ensure_state_backend)

    ensure = ensure or ensure_state_backend
    spec = dict(AWS_CONNECTION_SPEC, **STATE_BACKEND_SPEC)
    results, warnings = [], []
    for backend in plan["backends"]:
        settings = {k: v for k, v in backend.items() if k != "id"}
        if state == "present" and not recheck and verified_recently(marker_dir, settings, profile, max_age):
            results.append({"id": backend["id"], "changed": False, "changes": [], "verified_earlier": True,
                            "backend_config": backend_config(
                                settings["bucket"], settings["region"] or _env_region(), settings["lock_table"],
                                settings["kms_key_id"] if settings["encryption"] == "aws:kms" else None,
                                settings["endpoint_url"] or os.environ.get("AWS_ENDPOINT_URL") or None)})
            continue
        params = dict(settings, state=state, profile=profile, force=bool(force))
        validated = ArgumentSpecValidator(spec).validate(params)
        if validated.error_messages:
            raise InputError("backend %s: %s" % (backend["id"], "; ".join(validated.error_messages)))
        try:
            result = ensure(validated.validated_parameters, check_mode=check_mode, diff=diff)
        except GroundworkError as exc:
            if marker_dir:
                forget_verified(marker_dir, settings, profile)
            exc.message = "backend %s: %s" % (backend["id"], exc.message)
            exc.args = (exc.message,)
            raise
        warnings.extend(result.pop("warnings", []) or [])
        result["id"] = backend["id"]
        result["verified_earlier"] = False
        results.append(result)
        if marker_dir and state == "present" and not check_mode:
            remember_verified(marker_dir, settings, profile)
        elif marker_dir and state == "absent" and not check_mode:
            forget_verified(marker_dir, settings, profile)
    return results, warnings


def max_age_seconds(value, option="backend_recheck_after"):
    """Seconds a verified marker is trusted: the default when unset, 0 (or less) for never."""
    if value is None or value == "":
        return DEFAULT_MAX_AGE
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError("%s must be a whole number of seconds (0: re-read every backend on every run), not %r"
                         % (option, value))


def _env_region():
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
