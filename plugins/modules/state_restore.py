#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: state_restore
short_description: List the versions of a unit's Terraform state and restore an earlier one
version_added: 0.1.0
description:
  - Lists the versions of one state object in its versioned S3 bucket, newest first, with what
    each holds (serial, lineage, resource count, outputs, Terraform version, size, time).
  - With O(version_id), makes that version the current state again. The restore takes the
    unit's state lock the way Terraform does (DynamoDB item and/or S3 C(.tflock)), so it is
    refused while a Terraform run holds the lock and no run can start half-way through.
  - The restored content is written as a new current object with its serial bumped past the
    current serial, so Terraform sees a newer state and a plan saved against any earlier state
    is refused as stale rather than applied over the restored one. Earlier versions are kept.
  - With a DynamoDB lock table, the C(<bucket>/<key>-md5) digest item is rewritten to the new
    object's MD5; without that Terraform would refuse the restored state as changed behind its back.
    The same fixes a state whose digest no longer matches (restore the version that is right).
  - Credentials come from the backend settings (C(profile), C(access_key), C(assume_role)) or the
    standard AWS environment, as for Terraform's S3 backend.
author:
  - groundwork.terraform contributors (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Reads the versions, the lock and the digest and reports what a restore would do; writes nothing.
  diff_mode:
    support: full
    description: Shows the state before and after the restore (version, serial, lineage, resources, digest).
options:
  backend:
    description:
      - The unit's S3 backend, as M(groundwork.terraform.state_backend) returns it in C(backend_config)
        plus the unit's C(key) (the same dict the M(groundwork.terraform.unit) module takes).
      - Uses C(bucket), C(key), C(region), C(dynamodb_table), C(use_lockfile), C(endpoints),
        C(encrypt), C(kms_key_id), C(workspace_key_prefix) and credential settings if present.
    type: dict
    required: true
  version_id:
    description:
      - The S3 version ID of the state version to restore. Omit it to only list the versions.
    type: str
  max_versions:
    description:
      - How many versions (newest first) to read for their serial, lineage and contents. Older
        versions are still listed, without those details.
    type: int
    default: 20
  force:
    description:
      - Restore a version whose lineage differs from the current state's (a different state that
        once lived at this key). Without it such a restore is refused.
    type: bool
    default: false
  workspace:
    description:
      - Terraform workspace of the state. Units use the default workspace.
    type: str
    default: default
notes:
  - The bucket must have versioning enabled (M(groundwork.terraform.state_backend) enables it by default).
  - Run it only when no Terraform run for the unit is under way; a held lock makes it fail with the holder named.
seealso:
  - module: groundwork.terraform.unit
  - module: groundwork.terraform.state_backend
"""

EXAMPLES = r"""
- name: List the versions of the network unit's state
  groundwork.terraform.state_restore:
    backend: "{{ backend_config | combine({'key': 'prod/eu-west-1/network/terraform.tfstate'}) }}"
  register: history

- name: Restore the version before the last apply (preview with --check --diff first)
  groundwork.terraform.state_restore:
    backend: "{{ backend_config | combine({'key': 'prod/eu-west-1/network/terraform.tfstate'}) }}"
    version_id: "{{ history.versions[1].version_id }}"
"""

RETURN = r"""
versions:
  description:
    - Versions of the state object, newest first (after a restore, the new current one on top).
    - Each has C(version_id), C(last_modified) (UTC), C(size), C(is_latest), C(delete_marker) and,
      for the O(max_versions) newest, C(serial), C(lineage), C(resources), C(outputs), C(terraform_version), C(md5).
  returned: always
  type: list
  elements: dict
  sample: [{"version_id": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "last_modified": "2026-01-05T10:00:00Z",
            "size": 1678, "is_latest": true, "delete_marker": false, "serial": 7,
            "lineage": "8f1c1a6e-0b0e-4a8a-9d0e-0f8e1d7c6b5a", "resources": 12, "outputs": ["vpc_id"],
            "terraform_version": "1.11.4", "md5": "76e80e48c6db0d6323a85f8e4767c96a"}]
bucket:
  description: The state bucket.
  returned: always
  type: str
key:
  description: The state object's key.
  returned: always
  type: str
current:
  description: The current version (the first of RV(versions) that is latest), when listing.
  returned: when O(version_id) is not given
  type: dict
digest:
  description: The MD5 Terraform recorded for the state in the lock table (null without a table).
  returned: when O(version_id) is not given
  type: str
lock:
  description: Lock info of whoever holds the unit's state lock now, or null.
  returned: when O(version_id) is not given
  type: dict
restored_from:
  description: The version ID restored.
  returned: when O(version_id) is given
  type: str
restored_serial:
  description: The serial the restored version had; the new current state has a higher one.
  returned: when the restore changes something
  type: int
before:
  description: The current state before the restore (version_id, serial, lineage, resources, md5, digest).
  returned: when O(version_id) is given
  type: dict
after:
  description: The current state after the restore (in check mode, what it would be; version_id null).
  returned: when O(version_id) is given
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import BOTO3_IMPORT_ERROR, HAS_BOTO3
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.state_history import run_state_restore


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backend=dict(type="dict", required=True),
            version_id=dict(type="str"),
            max_versions=dict(type="int", default=20),
            force=dict(type="bool", default=False),
            workspace=dict(type="str", default="default"),
        ),
        supports_check_mode=True,
    )
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3"), exception=str(BOTO3_IMPORT_ERROR))
    for name in ("secret_key", "token", "sse_customer_key"):  # credentials a backend dict may carry
        value = (module.params["backend"] or {}).get(name)
        if isinstance(value, str) and value:
            module.no_log_values.add(value)
    try:
        result = run_state_restore(module.params, check_mode=module.check_mode, diff=module._diff)
    except GroundworkError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
