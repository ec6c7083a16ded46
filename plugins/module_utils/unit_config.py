# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a unit generates for terraform: the S3 backend, the AWS provider and the CLI config.

Pure functions of the unit's spec and the terraform version (UnitRunner writes their results
into the work dir as backend.tf.json, provider.tf.json and a CLI config file).
"""
from __future__ import annotations

import json
import os
import re

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError

_KEY_RE = re.compile(r"^[A-Za-z0-9!_.*'()\-/=+]+$")


def backend_block(backend, key, tf, allow_unlocked=False):
    """The ``backend "s3"`` attributes for this terraform version, from state_backend's backend_config."""
    if not backend:
        return None
    if not backend.get("bucket"):
        raise InputError("backend has no bucket; pass state_backend's backend_config (bucket, region, ...)")
    key = key or backend.get("key")
    if not key:
        raise InputError("backend has no key; set backend.key (e.g. env/region/unit/terraform.tfstate)")
    if key.startswith("/") or "//" in key or not _KEY_RE.match(key):
        raise InputError("backend key %r is not a valid S3 state key: no leading '/', no '//', only "
                         "letters, digits and !_.*'()-/=+" % key)
    block = {k: v for k, v in backend.items() if v is not None and k not in ("key", "endpoints", "endpoint_url")}
    block["key"] = key
    block.setdefault("encrypt", True)
    endpoints = dict(backend.get("endpoints") or {})
    if backend.get("endpoint_url") and not endpoints:
        endpoints = {"s3": backend["endpoint_url"], "dynamodb": backend["endpoint_url"],
                     "sts": backend["endpoint_url"], "iam": backend["endpoint_url"]}
    if endpoints:
        block.setdefault("skip_credentials_validation", True)
        block.setdefault("skip_region_validation", True)
        block.setdefault("skip_metadata_api_check", True)
        if tf.supports("backend_endpoints_block"):
            block["endpoints"] = endpoints
            block.setdefault("skip_requesting_account_id", True)
            block["use_path_style"] = block.pop("force_path_style", block.get("use_path_style", True))
        else:
            for service, attr in (("s3", "endpoint"), ("dynamodb", "dynamodb_endpoint"),
                                  ("sts", "sts_endpoint"), ("iam", "iam_endpoint")):
                if endpoints.get(service):
                    block[attr] = endpoints[service]
            block["force_path_style"] = block.pop("use_path_style", block.get("force_path_style", True))
    elif not tf.supports("backend_endpoints_block"):
        if "use_path_style" in block:
            block["force_path_style"] = block.pop("use_path_style")
    if block.get("use_lockfile") and not tf.supports("s3_lockfile"):
        if not block.get("dynamodb_table"):
            raise InputError("the backend asks for S3-native locking (use_lockfile) but %s %s has none "
                             "(needs >= 1.10); name a DynamoDB lock_table or upgrade"
                             % (tf.flavor, tf.version_string))
        block.pop("use_lockfile")
    if not block.get("dynamodb_table") and not block.get("use_lockfile") and not allow_unlocked:
        raise InputError("the backend for %s has no lock (neither dynamodb_table nor use_lockfile): two "
                         "runs at once could corrupt state; configure a lock or set allow_unlocked: true" % key)
    return block


def provider_block(aws_provider, endpoint_url=None):
    """The generated ``provider "aws"`` attributes."""
    cfg = dict(aws_provider or {})
    block = {}
    if cfg.get("region"):
        block["region"] = cfg["region"]
    if cfg.get("profile"):
        block["profile"] = cfg["profile"]
    if cfg.get("allowed_account_ids"):
        block["allowed_account_ids"] = list(cfg["allowed_account_ids"])
    if cfg.get("assume_role_arn"):
        role = {"role_arn": cfg["assume_role_arn"],
                "session_name": cfg.get("assume_role_session_name") or "groundwork"}
        if cfg.get("external_id"):
            role["external_id"] = cfg["external_id"]
        block["assume_role"] = role
    if cfg.get("default_tags"):
        block["default_tags"] = {"tags": dict(cfg["default_tags"])}
    # A local endpoint (LocalStack, moto): the endpoint itself reaches terraform as
    # AWS_ENDPOINT_URL, which the provider applies to every service; these skip real-AWS checks.
    if endpoint_url or cfg.get("endpoint_url"):
        block.update(skip_credentials_validation=True, skip_requesting_account_id=True,
                     skip_metadata_api_check=True, s3_use_path_style=True)
    return block


def cli_config(provider_mirror):
    """A CLI config that installs mirrored providers from the mirror only (offline-safe)."""
    providers = []
    for host in sorted(os.listdir(provider_mirror)):
        host_dir = os.path.join(provider_mirror, host)
        if not os.path.isdir(host_dir):
            continue
        for namespace in sorted(os.listdir(host_dir)):
            ns_dir = os.path.join(host_dir, namespace)
            if os.path.isdir(ns_dir):
                providers.extend("%s/%s/%s" % (host, namespace, t) for t in sorted(os.listdir(ns_dir))
                                 if os.path.isdir(os.path.join(ns_dir, t)))
    if not providers:
        raise InputError("provider_mirror %s holds no providers; it must be laid out as a terraform "
                         "filesystem mirror: HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/..." % provider_mirror)
    quoted = ", ".join(json.dumps(p) for p in providers)
    return ("provider_installation {\n  filesystem_mirror {\n    path    = %s\n    include = [%s]\n  }\n"
            "  direct {\n    exclude = [%s]\n  }\n}\n" % (json.dumps(provider_mirror), quoted, quoted))


def describe_backend(block):
    """A backend block in a few words, for messages."""
    if not block:
        return "local state"
    return "s3://%s/%s" % (block.get("bucket"), block.get("key"))
