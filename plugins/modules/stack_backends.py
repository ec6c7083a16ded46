#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the work is done by the action plugin of the same name, on the controller.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: stack_backends
short_description: Ensure every distinct Terraform state backend of a stack's units once
version_added: 0.1.0
description:
  - Works out the S3 state backend of every unit (host of group C(terraform_units)) from its
    inventory variables C(tf_state_bucket), C(tf_lock_table), C(aws_region), C(aws_endpoint_url)
    and the optional C(tf_state_*) settings, or takes O(backend_list).
  - Each distinct backend, identified by (bucket, region, lock table, endpoint), is ensured once
    with the logic of M(groundwork.terraform.state_backend), in-process on the controller, however
    many units share it. Units sharing a backend but disagreeing on its settings are refused
    before any AWS call.
  - Units without C(tf_state_bucket) that set C(allow_local_state) keep local state and are skipped
    (listed in RV(local_units)); any other unit without a bucket is refused.
  - Behind the C(groundwork.terraform.backend) role; C(deploy.yml) does the same inside
    M(groundwork.terraform.stack_run), after validating the whole stack.
  - With O(recheck=false), a backend ensured with identical settings by an earlier run less than
    O(recheck_after) seconds ago is not read again (a marker file per settings hash in
    O(marker_dir)); any changed setting is ensured again.
  - Credentials come from the controller's environment (standard C(AWS_*) variables) unless
    O(profile) is set.
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Reads the backends and reports what would change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode).
    support: full
    details: Each entry of RV(backends) holds its C(diff).
options:
  units:
    description: Units whose backends are ensured. Defaults to the hosts of group C(terraform_units).
    type: list
    elements: str
  backend_list:
    description:
      - Backends given directly, as dicts with the option names of M(groundwork.terraform.state_backend)
        (C(bucket), C(lock_table), C(region), C(endpoint_url), C(versioning), ...). When not empty,
        the units' variables are not read.
    type: list
    elements: dict
  state:
    description: V(present) ensures the backends; V(absent) deletes them (see O(force)).
    type: str
    choices: [present, absent]
    default: present
  profile:
    description: AWS profile for every backend; by default the environment's credentials are used.
    type: str
  force:
    description: With V(absent), delete buckets even when they hold state objects.
    type: bool
    default: false
  defaults:
    description:
      - Defaults of the per-unit C(tf_state_<name>) settings, keyed by C(<name>) (C(versioning),
        C(encryption), C(kms_key_id), C(block_public_access), C(enforce_tls), C(access_log_bucket),
        C(access_log_prefix), C(noncurrent_version_expiration_days), C(point_in_time_recovery), C(tags)).
      - Unset ones fall back to the unit's C(backend_<name>) variable, then to the
        M(groundwork.terraform.state_backend) default.
    type: dict
  recheck:
    description: Read and converge every backend, even one verified recently with the same settings.
    type: bool
    default: true
  recheck_after:
    description: How old (seconds) a verified marker may be before the backend is read again anyway; V(0) never trusts one.
    type: int
    default: 86400
  marker_dir:
    description: Where verified markers are kept. Defaults to C(<cwd>/.groundwork/backends).
    type: path
"""

EXAMPLES = r"""
- name: Ensure each distinct state backend once
  groundwork.terraform.stack_backends:
    units: "{{ groups['terraform_units'] }}"
    defaults:
      enforce_tls: false
  run_once: true
  register: backends
"""

RETURN = r"""
backends:
  description:
    - One entry per distinct backend, with C(id) (bucket|region|lock table|endpoint) and the return
      values of M(groundwork.terraform.state_backend) (C(changed), C(changes), C(bucket_created),
      C(table_created), C(backend_config)); C(verified_earlier) when it was not read again.
  returned: success
  type: list
  elements: dict
unit_backend_config:
  description: Per unit, the C(backend_config) of its backend.
  returned: success
  type: dict
local_units:
  description: Units that keep local state (C(allow_local_state), no C(tf_state_bucket)).
  returned: success
  type: list
  elements: str
"""
