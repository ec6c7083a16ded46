#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: state_backend
short_description: Ensure or remove a Terraform S3 remote-state backend (bucket and lock table)
version_added: 0.1.0
description:
  - Creates or converges the S3 bucket that holds Terraform state, secure by default (versioning,
    default encryption, all four public access blocks, a bucket policy denying non-TLS access),
    and optionally a DynamoDB lock table with the schema Terraform's S3 backend needs.
  - Replaces Terragrunt's C(remote_state) auto-creation and hand-written C(aws s3 mb) /
    C(aws dynamodb create-table) bootstrap steps.
  - Idempotent, fixes drift (for example versioning suspended by hand) and reports every change.
  - Setting a boolean safety option to V(false) means "leave that setting as found"; this module
    never weakens a bucket or table.
  - Concurrent runs creating the same bucket and table converge without failing.
  - Returns RV(backend_config), the settings for a Terraform C(backend "s3") block.
author:
  - groundwork.terraform contributors (!UNKNOWN)
extends_documentation_fragment:
  - groundwork.terraform.aws
attributes:
  check_mode:
    support: full
    description: Reads the current settings and reports what would change; nothing is created, changed or deleted.
  diff_mode:
    support: full
    description: Shows the managed settings of the bucket and lock table before and after.
options:
  bucket:
    description:
      - Name of the S3 bucket holding the state. Checked against the S3 naming rules before any API call.
    type: str
    required: true
  lock_table:
    description:
      - Name of the DynamoDB lock table (hash key C(LockID) of type string, on-demand billing,
        encrypted at rest with an AWS managed KMS key). Checked before any API call.
      - Omit it to rely on S3-native locking (C(use_lockfile), Terraform >= 1.10).
    type: str
  state:
    description:
      - V(present) creates or converges the backend; V(absent) deletes the bucket and the lock table.
    type: str
    choices: [present, absent]
    default: present
  versioning:
    description:
      - Keep every version of the state (enables bucket versioning). V(false) leaves versioning as found.
    type: bool
    default: true
  encryption:
    description:
      - Default encryption of the bucket.
      - V(aws:kms) requires O(kms_key_id) and enables the S3 bucket key.
    type: str
    choices: [AES256, "aws:kms"]
    default: AES256
  kms_key_id:
    description:
      - KMS key id, ARN or alias (C(alias/name)) used when O(encryption=aws:kms). Also returned in
        RV(backend_config) so Terraform encrypts state objects with it.
    type: str
  block_public_access:
    description:
      - Turn on all four S3 public access blocks of the bucket. V(false) leaves them as found.
    type: bool
    default: true
  enforce_tls:
    description:
      - Ensure the bucket policy holds a statement (Sid C(GroundworkDenyInsecureTransport)) denying
        every request made without TLS (C(aws:SecureTransport=false)).
      - The statement is merged into an existing policy; other statements are kept as they are and
        re-runs never duplicate it. V(false) leaves the policy as found.
      - Over a plain-HTTP O(endpoint_url) every request is non-TLS, so an endpoint that evaluates
        bucket policies (moto does; LocalStack does not by default) then refuses Terraform's state
        reads and writes. The module warns; set V(false) for such an endpoint.
    type: bool
    default: true
  access_log_bucket:
    description:
      - Enable S3 server access logging into this bucket. It must exist in the same region and
        allow the S3 logging service to write to it. Omit it to leave logging as found.
    type: str
  access_log_prefix:
    description:
      - Key prefix of the access logs in O(access_log_bucket). Defaults to the state bucket's name followed by C(/).
    type: str
  noncurrent_version_expiration_days:
    description:
      - Expire old state versions this many days after they were replaced, through a lifecycle rule
        (ID C(groundwork-noncurrent-version-expiration)) merged with the bucket's other rules.
      - Omit it to keep old versions forever (and leave the rule as found).
    type: int
  point_in_time_recovery:
    description:
      - Enable point-in-time recovery of the lock table. V(false) leaves it as found.
    type: bool
    default: true
  tags:
    description:
      - Tags of the bucket and the lock table. Listed tags are added or corrected; other tags are kept.
    type: dict
  force:
    description:
      - Only with O(state=absent). Delete the bucket even though it holds objects (state files),
        deleting every object version first. Without it a non-empty bucket is refused and nothing is deleted.
    type: bool
    default: false
notes:
  - Against an emulated endpoint (LocalStack, moto), an API the endpoint lacks fails only when the
    option needing it is in use; the error names that option.
  - In C(us-east-1), S3 answers success to the owner re-creating an existing bucket, so when
    several runs race there more than one may report RV(bucket_created); RV(table_created) is exact.
seealso:
  - name: Terraform S3 backend
    description: The settings RV(backend_config) is made for.
    link: https://developer.hashicorp.com/terraform/language/backend/s3
"""

EXAMPLES = r"""
- name: Ensure the state backend of the prod account
  groundwork.terraform.state_backend:
    bucket: acme-prod-tfstate
    lock_table: acme-prod-tflock
    region: eu-west-1
    noncurrent_version_expiration_days: 90
    tags:
      team: platform
  register: backend

- name: Same with S3-native locking and a KMS key, against LocalStack
  groundwork.terraform.state_backend:
    bucket: acme-local-tfstate
    region: us-east-1
    encryption: "aws:kms"
    kms_key_id: alias/tfstate
    endpoint_url: http://127.0.0.1:4566

- name: Remove a test backend together with its state
  groundwork.terraform.state_backend:
    bucket: acme-test-tfstate
    lock_table: acme-test-tflock
    region: eu-west-1
    state: absent
    force: true
"""

RETURN = r"""
changes:
  description: What was (or in check mode would be) changed, one line each; drift fixed shows as C(old -> new).
  returned: always
  type: list
  elements: str
  sample: ["bucket acme-prod-tfstate: versioning Suspended -> Enabled"]
bucket_created:
  description: Whether this run created the bucket.
  returned: always
  type: bool
table_created:
  description: Whether this run created the lock table.
  returned: always
  type: bool
backend_config:
  description:
    - Settings for a Terraform C(backend "s3") block (Terraform >= 1.6); add C(key) per unit.
    - C(dynamodb_table) only with O(lock_table), otherwise C(use_lockfile=true); C(kms_key_id) only
      with O(encryption=aws:kms).
    - With an endpoint URL, also C(endpoints) (C(s3), C(dynamodb), C(sts)), C(use_path_style) and the
      C(skip_*) settings an emulated endpoint needs. Never contains credentials.
    - Empty with O(state=absent).
  returned: always
  type: dict
  sample:
    bucket: acme-prod-tfstate
    region: eu-west-1
    encrypt: true
    dynamodb_table: acme-prod-tflock
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import (
    AWS_CONNECTION_SPEC,
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
)
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import (
    STATE_BACKEND_SPEC,
    ensure_state_backend,
)


def main():
    module = AnsibleModule(argument_spec=dict(AWS_CONNECTION_SPEC, **STATE_BACKEND_SPEC), supports_check_mode=True)
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3"), exception=str(BOTO3_IMPORT_ERROR))
    try:
        result = ensure_state_backend(module.params, check_mode=module.check_mode, diff=module._diff)
    except GroundworkError as exc:
        module.fail_json(**exc.fail_kwargs())
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
