# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: unit_outputs
short_description: Read a Terraform unit's outputs straight from its state
version_added: 0.1.0
description:
  - Returns the outputs of each named unit, read from the unit's Terraform state with one S3
    C(GetObject). No terraform process runs, so this is how a playbook run with C(--limit) gets
    the outputs of dependencies it does not deploy, and how a no-op deploy wires outputs fast.
  - The counterpart of Terragrunt's C(dependency) block reading outputs, without C(terraform output).
  - "Each term is a unit: a host of the inventory. Its backend comes from its host variables:
    the fact C(backend_config) when C(groundwork.terraform.backend) set it in this run, else
    C(tf_state_bucket), C(aws_region), C(tf_lock_table) and C(aws_endpoint_url)."
  - "The state key is the unit's C(unit_state_key) when set, else
    C(<env_name>/<aws_region>/<unit>/terraform.tfstate)."
  - Sensitive outputs are masked as C(<sensitive>) unless O(sensitive=true).
  - Runs on the controller with the controller's AWS credentials (the standard AWS environment
    variables or profile) unless O(profile) or O(access_key)/O(secret_key) are given.
author:
  - groundwork.terraform contributors (!UNKNOWN)
options:
  _terms:
    description: Names of units (inventory hosts). One dictionary of outputs is returned per unit.
    type: list
    elements: str
    required: true
  backend:
    description:
      - S3 backend settings to read from instead of the unit's host variables, shaped like
        RV(groundwork.terraform.state_backend#module:backend_config) (C(bucket), C(region),
        C(endpoints), ...), optionally with C(key) and C(workspace_key_prefix).
      - Given C(key), it names the state of every term, so use it with one unit.
    type: dict
  key:
    description:
      - The state object key, instead of C(unit_state_key) or the default naming.
      - Only with a single unit.
    type: str
  region:
    description: Region of the state bucket, instead of the unit's C(aws_region).
    type: str
  endpoint_url:
    description:
      - URL of an AWS-compatible endpoint (LocalStack, moto) holding the state, instead of the
        unit's C(aws_endpoint_url). S3 then uses path-style addressing.
    type: str
  workspace:
    description:
      - Terraform workspace whose state to read; its key is
        C(<workspace_key_prefix or env:>/<workspace>/<key>) as terraform's S3 backend names it.
      - Omit for the default workspace, which groundwork units use.
    type: str
  state_path:
    description:
      - A local C(terraform.tfstate) file to read instead of S3, for units without a backend
        (their state is C(terraform.tfstate) in the unit's work dir).
      - Only with a single unit.
    type: path
  sensitive:
    description: Return the values of sensitive outputs instead of C(<sensitive>).
    type: bool
    default: false
  missing:
    description:
      - What to return for a unit that has no state yet (no object at its key, or no state bucket).
      - V(error) fails, saying the unit must be deployed first.
      - V(mock) returns placeholders for plans, typed from the C(output) blocks of the unit's
        module (C(unit_module) under C(terraform_modules_dir)) and overridden by the unit's
        C(unit_mock_outputs). Never apply a plan made with them.
      - V(empty) returns an empty dictionary.
    type: str
    choices: [error, mock, empty]
    default: error
  modules_dir:
    description:
      - Directory of Terraform modules that a unit's C(unit_module) is relative to, for O(missing=mock).
      - Defaults to the unit's C(terraform_modules_dir), else C(terraform-modules) next to or
        above the playbook.
    type: path
  profile:
    description: AWS profile for reading the state; defaults to the standard AWS credential chain.
    type: str
  access_key:
    description: AWS access key id for reading the state; defaults to the standard AWS credential chain.
    type: str
  secret_key:
    description: AWS secret access key for reading the state.
    type: str
  session_token:
    description: AWS session token for temporary credentials.
    type: str
notes:
  - A dependency with no state yet fails by default; plans pass O(missing=mock).
  - The lookup needs C(s3:GetObject) on the state key (and C(s3:ListBucket) so that a missing
    state reads as missing rather than access denied); no lock is taken, as C(terraform output)
    takes none either.
  - Sensitive values are returned only with O(sensitive=true); protect such tasks with C(no_log).
requirements:
  - boto3
seealso:
  - module: groundwork.terraform.unit
  - module: groundwork.terraform.state_backend
"""

EXAMPLES = r"""
- name: Outputs of the network unit, as the deploy wires them into its dependents
  ansible.builtin.debug:
    msg: "VPC {{ lookup('groundwork.terraform.unit_outputs', 'network').vpc_id }}"

- name: Several units at once (one dictionary per unit)
  ansible.builtin.set_fact:
    dependency: "{{ dict(unit_dependencies | zip(query('groundwork.terraform.unit_outputs', *unit_dependencies))) }}"

- name: A plan before the dependency exists uses typed placeholders instead of failing
  ansible.builtin.set_fact:
    network: "{{ lookup('groundwork.terraform.unit_outputs', 'network', missing='mock') }}"

- name: Reveal sensitive outputs, keeping them out of the log
  ansible.builtin.set_fact:
    db: "{{ lookup('groundwork.terraform.unit_outputs', 'database', sensitive=true) }}"
  no_log: true

- name: Any state object, without inventory variables
  ansible.builtin.debug:
    msg: >-
      {{ lookup('groundwork.terraform.unit_outputs', 'legacy',
                backend={'bucket': 'acme-tfstate', 'region': 'eu-west-1', 'key': 'legacy/terraform.tfstate'}) }}
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per unit, output name to value, sensitive values as C(<sensitive>) unless
      O(sensitive=true).
    - An empty dictionary for a unit without state when O(missing=empty).
  type: list
  elements: dict
"""

import os
import time
from collections.abc import Mapping

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import HAS_BOTO3, AwsConnection
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import AwsError, GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.remote_state import (
    connection_for, masked_values, read_local_state_outputs, read_state_outputs, s3_endpoint, state_key)
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import backend_config

display = Display()

# Reads of many dependencies overlap: each is one small GET, mostly waiting on the network.
_MAX_PARALLEL_READS = 8

# Connections outlive one lookup call: a new boto3 session loads botocore's S3 model again
# (0.1-0.4 s), and a template often calls the lookup once per dependency. Keyed by everything
# that decides the credentials, the environment's included.
_CONNECTIONS = {}
_CONNECTION_MAX_AGE = 900
_CREDENTIAL_ENV = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE",
                   "AWS_SHARED_CREDENTIALS_FILE", "AWS_MAX_ATTEMPTS")


def _plain(value):
    """Plain dicts and lists (host variables may come as lazy template containers)."""
    if isinstance(value, Mapping):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        # Ansible passes unknown keyword options through silently; a typo (senstive=true) must not be.
        unknown = sorted(set(kwargs) - set(self._options))
        if unknown:
            raise AnsibleLookupError("unit_outputs: unknown option%s %s; valid options: %s"
                                     % ("s" if len(unknown) > 1 else "", ", ".join(unknown),
                                        ", ".join(sorted(name for name in self._options if name != "_terms"))))
        if not HAS_BOTO3:
            raise AnsibleLookupError("groundwork.terraform.unit_outputs needs boto3 on the controller: "
                                     "pip install boto3")
        units = [str(term) for term in terms]
        if not units:
            return []
        missing = self.get_option("missing")
        for single_option in ("key", "state_path"):
            if self.get_option(single_option) and len(units) > 1:
                raise AnsibleLookupError("unit_outputs: %s names one state, but %d units were given (%s); "
                                         "look them up one at a time" % (single_option, len(units), ", ".join(units)))
        if (self.get_option("backend") or {}).get("key") and len(units) > 1:
            raise AnsibleLookupError("unit_outputs: backend.key names one state, but %d units were given; "
                                     "drop key from backend or look them up one at a time" % len(units))

        self._variables = variables or {}
        sources = [self._source(unit) for unit in units]
        if len(sources) > 1:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL_READS, len(sources))) as pool:
                states = list(pool.map(self._read_quietly, sources))
        else:
            states = [self._read_quietly(sources[0])]

        results = []
        for unit, source, (outputs, error) in zip(units, sources, states):
            if error is not None:
                if not (isinstance(error, AwsError) and error.details.get("aws_error_code") == "NoSuchBucket"):
                    raise AnsibleLookupError("unit %s: %s" % (unit, error.message))
                if missing == "error":
                    raise AnsibleLookupError("unit %s has no state: its state bucket %s does not exist; bootstrap "
                                             "the backend and deploy the unit first" % (unit, source["backend"]["bucket"]))
                outputs = None
            if outputs is None:
                results.append(self._missing(unit, source, missing))
            else:
                results.append(masked_values(outputs, reveal_sensitive=self.get_option("sensitive")))
        return results

    # ----------------------------------------------------------------------------- where the state is

    def _unit_vars(self, unit):
        hostvars = self._variables.get("hostvars") if hasattr(self._variables, "get") else None
        if hostvars is None or unit not in hostvars:
            return None
        return hostvars[unit]

    def _var(self, unit_vars, name):
        if unit_vars is None or name not in unit_vars:
            return None
        # HostVarsVars templates on access; template again for values that are still lazy.
        return _plain(self._templar.template(unit_vars[name]))

    def _source(self, unit):
        """Where a unit's state is: {"path": local file} or {"backend": config with key, "where": s3 url}."""
        unit_vars = self._unit_vars(unit)
        state_path = self.get_option("state_path")
        if state_path:
            return {"unit": unit, "vars": unit_vars, "path": state_path, "where": state_path}
        backend = _plain(self.get_option("backend") or {})
        if not backend and unit_vars is None:
            raise AnsibleLookupError("unit %s is not a host of the inventory; name a unit, or pass backend= "
                                     "(bucket, region, key)" % unit)
        if not backend:
            backend = self._var(unit_vars, "backend_config") or {}
        if not backend and self._var(unit_vars, "tf_state_bucket"):
            backend = backend_config(self._var(unit_vars, "tf_state_bucket"), self._var(unit_vars, "aws_region"),
                                     lock_table=self._var(unit_vars, "tf_lock_table"),
                                     endpoint_url=self._var(unit_vars, "aws_endpoint_url"))
        if not backend.get("bucket"):
            raise AnsibleLookupError("unit %s has no S3 state backend: tf_state_bucket is not set (nor the "
                                     "backend_config fact); set it in the inventory, or pass backend= or "
                                     "state_path= for a local state" % unit)
        backend = dict(backend)
        if self.get_option("region"):
            backend["region"] = self.get_option("region")
        if self.get_option("endpoint_url"):
            url = self.get_option("endpoint_url")
            backend["endpoints"] = {"s3": url, "dynamodb": url, "sts": url}
        if not backend.get("region"):
            raise AnsibleLookupError("unit %s: the region of its state bucket is unknown; set aws_region or "
                                     "pass region=" % unit)
        backend["key"] = self.get_option("key") or backend.get("key") or self._default_key(unit, unit_vars)
        key = state_key(backend["key"], self.get_option("workspace"), backend.get("workspace_key_prefix"))
        where = "s3://%s/%s" % (backend["bucket"], key)
        try:
            connection = self._connection(backend)
        except GroundworkError as exc:
            raise AnsibleLookupError("unit %s: %s" % (unit, exc.message))
        return {"unit": unit, "vars": unit_vars, "backend": backend, "where": where, "connection": connection}

    def _default_key(self, unit, unit_vars):
        explicit = self._var(unit_vars, "unit_state_key")
        if explicit:
            return explicit
        env_name = self._var(unit_vars, "env_name")
        region = self._var(unit_vars, "aws_region") or self.get_option("region")
        if not env_name or not region:
            raise AnsibleLookupError("unit %s: cannot name its state key <env_name>/<aws_region>/%s/terraform.tfstate: "
                                     "%s is not set; set it, or unit_state_key, or pass key="
                                     % (unit, unit, "env_name" if not env_name else "aws_region"))
        return "%s/%s/%s/terraform.tfstate" % (env_name, region, unit)

    def _connection(self, backend):
        """One connection (and S3 client) per region, endpoint and credentials, made before the reads start.

        boto3 sessions are not thread-safe to create clients from, and each new session loads
        botocore's data again, so the parallel reads share clients made here.
        """
        creds = dict((name, self.get_option(name)) for name in ("profile", "access_key", "secret_key", "session_token"))
        role = backend.get("assume_role") or {}
        cache_key = (backend.get("region"), s3_endpoint(backend), backend.get("profile"), backend.get("access_key"),
                     backend.get("secret_key"), backend.get("token"), role.get("role_arn") or backend.get("role_arn"),
                     tuple(sorted(creds.items())), tuple(os.environ.get(name) for name in _CREDENTIAL_ENV))
        cached = _CONNECTIONS.get(cache_key)
        # Assumed-role credentials expire after an hour; a long run in one process gets fresh ones.
        if cached is None or time.monotonic() - cached[0] > _CONNECTION_MAX_AGE:
            if any(creds.values()):
                connection = AwsConnection(region=backend.get("region"), endpoint_url=s3_endpoint(backend), **creds)
            else:
                connection = connection_for(backend)
            connection.client("s3", region=backend.get("region"))
            cached = _CONNECTIONS[cache_key] = (time.monotonic(), connection)
        return cached[1]

    # ----------------------------------------------------------------------------- reading

    def _read_quietly(self, source):
        """(outputs or None, GroundworkError or None): errors are raised later, in term order."""
        try:
            if "path" in source:
                return read_local_state_outputs(source["path"]), None
            return read_state_outputs(source["backend"], connection=source["connection"],
                                      workspace=self.get_option("workspace")), None
        except GroundworkError as exc:
            return None, exc

    def _missing(self, unit, source, missing):
        if missing == "error":
            raise AnsibleLookupError("unit %s has no state at %s; deploy it first" % (unit, source["where"]))
        display.vvv("unit_outputs: unit %s has no state at %s; returning %s outputs" % (unit, source["where"], missing))
        if missing == "empty":
            return {}
        return self._mock(unit, source["vars"])

    def _mock(self, unit, unit_vars):
        overrides = self._var(unit_vars, "unit_mock_outputs") or {}
        module = self._var(unit_vars, "unit_module")
        module_dir = self._module_dir(unit, module) if module else None
        if module_dir is None:
            if overrides:
                return dict(overrides)
            raise AnsibleLookupError("unit %s has no state and nothing to mock its outputs from: set its "
                                     "unit_mock_outputs, or unit_module and terraform_modules_dir" % unit)
        from ansible_collections.groundwork.terraform.plugins.module_utils.hcl import mock_outputs, read_module
        try:
            mocks = mock_outputs(read_module(module_dir), unit, region=self._var(unit_vars, "aws_region") or None)
        except GroundworkError as exc:
            raise AnsibleLookupError("unit %s: cannot mock its outputs: %s" % (unit, exc.message))
        mocks.update(overrides)
        return mocks

    def _module_dir(self, unit, module):
        # Terragrunt-style "dir//sub" sources run in dir/sub; the outputs are those of dir/sub.
        module = module.replace("//", "/")
        if os.path.isabs(module):
            return module
        base = self.get_option("modules_dir") or self._var(self._unit_vars(unit), "terraform_modules_dir")
        if not base:
            playbook_dir = self._variables.get("playbook_dir") if hasattr(self._variables, "get") else None
            for candidate in ([os.path.join(playbook_dir, "terraform-modules"),
                               os.path.join(playbook_dir, "..", "terraform-modules")] if playbook_dir else []):
                if os.path.isdir(candidate):
                    base = candidate
                    break
        return os.path.normpath(os.path.join(base, module)) if base else None
