#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: unit
short_description: Run terraform for one unit with a generated backend and provider
version_added: 0.1.0
description:
  - A I(unit) is one Terraform module instantiated for one account, region and environment,
    with its own state key (a directory with a C(terragrunt.hcl) in Terragrunt).
  - The module source is synced into a per-unit work dir (only changed files; files removed
    from the source are removed), so generated files never reach the source and C(.terraform/)
    is kept between runs.
  - An S3 backend configuration is generated from O(backend); an AWS provider configuration is
    generated when the module uses the AWS provider (read with python-hcl2) or when asked; a
    module's own C(provider "aws") or C(backend) block is never clobbered (override files).
  - C(terraform init) runs only when its fingerprint changes (first run, backend, module calls,
    provider requirements, terraform version, mirror). A changed backend is never silently
    reconfigured (see O(backend_change)).
  - Inputs go to a C(0600) C(.tfvars.json) deleted after the run, never to C(-var) arguments.
  - Input values are checked against the module's declared variable types before terraform runs
    (terraform's own conversion rules); C(yes)/C(no)/C(True)/C(False) given to a C(bool) variable
    become V(true)/V(false).
  - A failure says what to do next - a held lock names its holder, its age and the exact release
    command; an C(errored.tfstate) left by a failed state upload blocks the unit and gives the
    recovery commands; a state whose DynamoDB digest does not match names both checksums.
  - A no-op run of an initialised unit starts one terraform process (plan); its outputs come from the
    state saved in the plan file (C(state pull) when that cannot be read).
  - When the separate plan decides nothing (O(allow_destroy=true), no mocked inputs, not check or diff
    mode) and changes are expected (a destroy, or a deploy whose module, inputs or generated files differ
    from the work dir's last converged run), one C(terraform apply -auto-approve) plans and applies under
    one lock, with one terraform process and one provider start fewer. Otherwise the plan is saved
    (C(plan -out)) and exactly that plan is applied, only when it has changes.
  - The full terraform output of every run goes to a C(0600) log file (RV(log_path)), as it
    happens, so a long apply can be followed with C(tail -f).
  - SIGINT or SIGTERM sent to the module is forwarded to terraform once, so it can finish
    in-flight operations, save state and release its lock.
author:
  - groundwork.terraform contributors (!UNKNOWN)
requirements:
  - terraform >= 1.0 (1.5+ recommended) or OpenTofu
  - python-hcl2
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Check mode plans and reports C(changed) from the plan; nothing is applied.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode).
    support: full
    details: One diff entry per changed resource address, built from C(terraform show -json); sensitive values masked.
options:
  name:
    description: Name of the unit; names its log file and default work dir.
    type: str
    required: true
  source:
    description:
      - Directory of the Terraform module.
      - Like Terragrunt, C(dir//sub) copies C(dir) whole and runs terraform in C(dir/sub), so module
        calls such as C(../modules/x) inside C(dir) keep working.
    type: str
    required: true
  work_dir:
    description: Per-unit work dir. Defaults to C(.groundwork/units/<name>) under the current directory.
    type: path
  backend:
    description:
      - S3 backend settings, usually RV(groundwork.terraform.state_backend#module:backend_config) plus C(key).
      - Keys as the terraform S3 backend names them (C(bucket), C(key), C(region), C(dynamodb_table),
        C(use_lockfile), C(encrypt), C(kms_key_id), C(endpoints), ...); translated for the detected
        terraform version (C(endpoints) become C(endpoint)/C(dynamodb_endpoint) before 1.6).
      - Omit for a local state in the work dir (tests, throwaway units).
    type: dict
  inputs:
    description: Values of the module's variables. Unknown names and missing required variables are refused before terraform runs.
    type: dict
    default: {}
  mocked_inputs:
    description:
      - Names of inputs whose values are mock outputs of a dependency that has no state yet.
      - Such a unit can be planned (the plan says it depends on mocks) but never applied, and a
        saved plan made with mocks is never applied.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) plans and applies when the plan has changes; V(planned) only plans
        (saved to O(plan_file) when given); V(absent) destroys.
    type: str
    choices: [present, planned, absent]
    default: present
  plan_file:
    description:
      - With O(state=planned), where to save the plan (C(0600), with a C(.json) summary beside it).
      - With O(state=present), apply exactly this saved plan; a stale plan fails and nothing is applied.
    type: path
  lock_timeout:
    description: How long to wait for the state lock, for example C(5m). Passed to plan and apply.
    type: str
  parallelism:
    description: terraform's C(-parallelism) (resource operations at once).
    type: int
  targets:
    description: Resource addresses for C(-target).
    type: list
    elements: str
    default: []
  replace:
    description: Resource addresses for C(-replace).
    type: list
    elements: str
    default: []
  terraform_binary:
    description: terraform or tofu binary (name or path). Default C(terraform), else C(tofu) when terraform is absent.
    type: str
  plugin_cache_dir:
    description:
      - Provider plugin cache shared by all units (C(TF_PLUGIN_CACHE_DIR)); inits are serialised on it.
      - A provider already in the cache is used as it is, even by a work dir whose lock file has no checksum for it
        yet (C(TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=true)), because terraform would otherwise reinstall it
        under units that are running it. The lock file then records the local platform's checksum. Set that
        variable to an empty string in O(env) for terraform's own behaviour.
      - Defaults to C(~/.cache/groundwork/terraform-plugins); an empty string turns the cache off.
    type: path
  provider_mirror:
    description:
      - A directory laid out as a terraform filesystem mirror
        (C(registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/...)). Providers found there are
        installed only from it (air-gapped installs, offline tests).
    type: path
  aws_provider:
    description:
      - The generated AWS provider configuration.
    type: dict
    suboptions:
      enabled:
        description: V(auto) generates it when the module uses the AWS provider; V(true)/V(false) force it.
        type: raw
        default: auto
      region:
        description: Provider region.
        type: str
      profile:
        description: AWS profile the provider uses.
        type: str
      assume_role_arn:
        description: Role to assume (the account's deploy role).
        type: str
      assume_role_session_name:
        description: Session name when assuming the role.
        type: str
        default: groundwork
      external_id:
        description: External ID when assuming the role.
        type: str
      allowed_account_ids:
        description: Account IDs the provider may act in (a guard against the wrong credentials).
        type: list
        elements: str
      default_tags:
        description: Tags on every resource the provider creates.
        type: dict
      endpoint_url:
        description: A LocalStack-compatible endpoint for every AWS service (C(AWS_ENDPOINT_URL) for terraform).
        type: str
  env:
    description: Extra environment variables for terraform (credentials belong here, never in arguments).
    type: dict
    default: {}
  log_dir:
    description: Directory of the per-unit log file. Defaults to the work dir's C(.groundwork/).
    type: path
  return_sensitive_outputs:
    description: Return sensitive outputs in clear text (pair the task with C(no_log)). Masked otherwise.
    type: bool
    default: false
  force_unlock:
    description: Lock ID to release (C(terraform force-unlock)); nothing else runs. Never automatic.
    type: str
  allow_destroy:
    description: When false, a plan that deletes or replaces any resource is refused before apply (O(state=absent) excepted).
    type: bool
    default: true
  allow_unlocked:
    description: Allow a backend with no lock at all (neither C(dynamodb_table) nor C(use_lockfile)).
    type: bool
    default: false
  backend_change:
    description:
      - What to do when the backend differs from the one the work dir was initialised with.
      - V(fail) stops with both backends named; V(migrate) copies the state to the new backend
        (C(-migrate-state)); V(reconfigure) starts from the new backend's state (C(-reconfigure)).
    type: str
    choices: [fail, migrate, reconfigure]
    default: fail
seealso:
  - module: groundwork.terraform.state_backend
"""

EXAMPLES = r"""
- name: Bootstrap the backend
  groundwork.terraform.state_backend:
    bucket: acme-prod-tfstate
    lock_table: acme-prod-tflock
    region: eu-west-1
  register: backend

- name: Apply the network unit
  groundwork.terraform.unit:
    name: network
    source: "{{ playbook_dir }}/terraform-modules/network"
    backend: "{{ backend.backend_config | combine({'key': 'prod/eu-west-1/network/terraform.tfstate'}) }}"
    inputs:
      name: prod
      cidr_block: 10.0.0.0/16
    aws_provider:
      region: eu-west-1
      assume_role_arn: arn:aws:iam::123456789012:role/deploy
      default_tags:
        env: prod
  register: network

- name: Plan only, saved for review
  groundwork.terraform.unit:
    name: app
    source: terraform-modules/ec2-app
    state: planned
    plan_file: plans/app.tfplan
    inputs:
      vpc_id: "{{ network.outputs.vpc_id }}"

- name: Apply exactly the reviewed plan
  groundwork.terraform.unit:
    name: app
    source: terraform-modules/ec2-app
    plan_file: plans/app.tfplan

- name: Release a stale lock (ID from the failure message)
  groundwork.terraform.unit:
    name: network
    source: terraform-modules/network
    backend: "{{ backend.backend_config | combine({'key': 'prod/eu-west-1/network/terraform.tfstate'}) }}"
    force_unlock: 6f0b3c8e-2a1d-4c5e-9f7a-0b1c2d3e4f5a
"""

RETURN = r"""
outputs:
  description: Output values of the unit; sensitive ones are C(<sensitive>) unless O(return_sensitive_outputs).
  returned: success
  type: dict
  sample: {"vpc_id": "vpc-0abc", "db_password": "<sensitive>"}
sensitive_outputs:
  description: Names of the outputs terraform marks sensitive.
  returned: success
  type: list
  elements: str
plan:
  description: Summary of the plan.
  returned: when a plan ran
  type: dict
  contains:
    add:
      description: Resources to create.
      type: int
    change:
      description: Resources to update in place.
      type: int
    destroy:
      description: Resources to destroy.
      type: int
    resource_changes:
      description: Every changed resource, with its address and actions (as in C(terraform show -json)).
      type: list
      elements: dict
    output_changes:
      description: Outputs the plan adds, changes or removes.
      type: list
      elements: str
    has_changes:
      description: Whether terraform reported changes (C(-detailed-exitcode) 2, or a change in the plan part of an apply).
      type: bool
    applied_directly:
      description:
        - V(true) when the plan was the first half of one C(terraform apply -auto-approve) (no saved plan), see the
          description.
      type: bool
    mocked_inputs:
      description: Inputs that held mock values for this plan.
      type: list
      elements: str
  sample: {"add": 1, "change": 0, "destroy": 0, "resource_changes": [{"address": "aws_s3_bucket.this", "actions": ["create"]}]}
applied:
  description: What the apply did (add, change, remove, import).
  returned: when an apply ran
  type: dict
init:
  description: Whether init ran (V(ran), V(reconfigured), V(migrated)) or was V(skipped).
  returned: always
  type: str
terraform_version:
  description: Version of the terraform (or tofu) binary used.
  returned: always
  type: str
  sample: 1.11.4
terraform_flavor:
  description: V(terraform) or V(opentofu).
  returned: always
  type: str
work_dir:
  description: Directory terraform ran in.
  returned: always
  type: str
log_path:
  description: Log file with the full terraform output of every run (C(0600)).
  returned: always
  type: str
plan_file:
  description: Absolute path of the saved plan.
  returned: when O(state=planned) with O(plan_file) and the plan has changes
  type: str
duration:
  description: Seconds the module ran.
  returned: always
  type: float
terraform_processes:
  description: How many terraform processes this run started.
  returned: always
  type: int
terraform_commands:
  description: Subcommands this run started, in order.
  returned: always
  type: list
  elements: str
resource_count:
  description: Managed resource instances in the state after the run (when read from the state).
  returned: when the state was read
  type: int
outputs_from:
  description: Where the outputs were read when no apply returned them, V(plan) (the state inside the plan file) or V(state pull).
  returned: when the state was read
  type: str
unlocked:
  description: The lock ID released by O(force_unlock).
  returned: when O(force_unlock) is set
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError
from ansible_collections.groundwork.terraform.plugins.module_utils.unit import (
    UnitRunner, UnitSpec, normalise_params, secret_env_values, unit_argument_spec)


def main():
    module = AnsibleModule(argument_spec=unit_argument_spec(), supports_check_mode=True)
    runner = None
    try:
        normalise_params(module.params)
        # Secrets in env (credentials) never reach output.
        module.no_log_values.update(secret_env_values(module.params["env"]))
        runner = UnitRunner(UnitSpec(**module.params), check_mode=module.check_mode, diff=module._diff)
        result = runner.run()
    except GroundworkError as exc:
        if runner is not None:
            module.no_log_values.update(runner.secrets)
        module.fail_json(**exc.fail_kwargs())
    module.no_log_values.update(result.secrets)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
