from __future__ import annotations

import json

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils import recovery
from ansible_collections.groundwork.terraform.plugins.module_utils import unit as u
from ansible_collections.groundwork.terraform.plugins.module_utils import unit_config as config
from ansible_collections.groundwork.terraform.plugins.module_utils import unit_values as values
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.terraform_cli import TerraformInfo

TF_111 = TerraformInfo("terraform", (1, 11, 4), "terraform")
TF_103 = TerraformInfo("terraform", (1, 0, 3), "terraform")
LOCAL = {"bucket": "b", "region": "us-east-1", "encrypt": True, "dynamodb_table": "t",
         "endpoints": {"s3": "http://h:1", "dynamodb": "http://h:1", "sts": "http://h:1"}, "use_path_style": True}


def test_backend_block_for_new_terraform_keeps_endpoints_block():
    block = config.backend_block(LOCAL, "env/r/u/terraform.tfstate", TF_111)
    assert block["endpoints"] == LOCAL["endpoints"]
    assert block["use_path_style"] is True and "force_path_style" not in block
    assert block["key"] == "env/r/u/terraform.tfstate"


def test_backend_block_translated_for_terraform_before_1_6():
    block = config.backend_block(LOCAL, "k", TF_103)
    assert "endpoints" not in block and "use_path_style" not in block
    assert block["endpoint"] == "http://h:1" and block["dynamodb_endpoint"] == "http://h:1"
    assert block["force_path_style"] is True


def test_lockfile_needs_terraform_1_10():
    with pytest.raises(InputError, match="needs >= 1.10"):
        config.backend_block({"bucket": "b", "region": "r", "use_lockfile": True}, "k", TF_103)
    assert config.backend_block({"bucket": "b", "region": "r", "use_lockfile": True}, "k", TF_111)["use_lockfile"]


def test_unlocked_backend_refused_unless_allowed():
    with pytest.raises(InputError, match="has no lock"):
        config.backend_block({"bucket": "b", "region": "r"}, "k", TF_111)
    assert config.backend_block({"bucket": "b", "region": "r"}, "k", TF_111, allow_unlocked=True)["key"] == "k"


def test_provider_block():
    block = config.provider_block({"region": "eu-west-1", "assume_role_arn": "arn:aws:iam::1:role/deploy",
                              "default_tags": {"env": "prod"}, "allowed_account_ids": ["1"]})
    assert block == {"region": "eu-west-1", "allowed_account_ids": ["1"],
                     "assume_role": {"role_arn": "arn:aws:iam::1:role/deploy", "session_name": "groundwork"},
                     "default_tags": {"tags": {"env": "prod"}}}
    local = config.provider_block({"region": "us-east-1"}, endpoint_url="http://127.0.0.1:4566")
    assert local["skip_credentials_validation"] and local["s3_use_path_style"]


def test_cli_config_pins_mirrored_providers_to_the_mirror(tmp_path):
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    text = config.cli_config(str(tmp_path))
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text
    with pytest.raises(InputError, match="holds no providers"):
        config.cli_config(str(tmp_path / "registry.terraform.io" / "hashicorp" / "aws"))


def test_masking_of_sensitive_and_unknown_values():
    value = {"name": "n", "password": "p", "tags": {"a": "1"}, "list": ["x", "y"]}
    masked = values.mask(value, {"password": True, "list": [False, True]}, {"arn": True})
    assert masked == {"name": "n", "password": values.SENSITIVE_MASK, "tags": {"a": "1"},
                      "list": ["x", values.SENSITIVE_MASK], "arn": values.UNKNOWN_MASK}


def test_diff_entries_one_per_changed_resource():
    plan = {"resource_changes": [
        {"address": "a.b", "change": {"actions": ["update"], "before": {"v": 1, "s": "old"},
                                      "after": {"v": 2, "s": "new"}, "after_sensitive": {"s": True},
                                      "before_sensitive": {"s": True}}},
        {"address": "a.c", "change": {"actions": ["no-op"], "before": {}, "after": {}}},
    ]}
    entries = values.diff_from_plan_json(plan)
    assert entries == [{"before_header": "a.b (update)", "after_header": "a.b",
                        "before": {"s": values.SENSITIVE_MASK, "v": 1}, "after": {"s": values.SENSITIVE_MASK, "v": 2}}]


def test_lock_info_parsed_from_terraform_detail():
    detail = ("Error message: ConditionalCheckFailedException\nLock Info:\n  ID:        1234-abcd\n"
              "  Path:      b/k\n  Operation: OperationTypeApply\n  Who:       ci@runner\n"
              "  Version:   1.11.4\n  Created:   2026-11-23 10:00:00 +0000 UTC\n  Info:\n")
    assert recovery.parse_lock_info(detail) == {"id": "1234-abcd", "path": "b/k", "operation": "OperationTypeApply",
                                         "who": "ci@runner", "version": "1.11.4",
                                         "created": "2026-11-23 10:00:00 +0000 UTC"}


def test_outputs_masked_unless_asked():
    outputs = {"a": {"value": 1, "sensitive": False}, "s": {"value": {"k": "secret"}, "sensitive": True}}
    assert values.mask_outputs(outputs, False) == ({"a": 1, "s": values.SENSITIVE_MASK}, ["s"])
    assert values.mask_outputs(outputs, True)[0]["s"] == {"k": "secret"}
    assert values.secret_strings({"k": ["a", 1, None, True]}) == {"a", "1"}


def test_cold_unit_takes_module_facts_from_stack_run_unless_the_source_changed(tmp_path, monkeypatch):
    from ansible_collections.groundwork.terraform.plugins.module_utils import hcl
    from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import WorkDir

    source = tmp_path / "mod"
    source.mkdir()
    (source / "main.tf").write_text('variable "name" {\n  type = string\n}\noutput "name" {\n  value = var.name\n}\n')
    # what stack_run puts in the run manifest (a JSON file)
    known = json.loads(json.dumps(u.known_module_facts(str(source), hcl.read_module)))
    assert known["facts"]["variables"]["name"]["required"] is True

    def runner_for(work):
        runner = u.UnitRunner(u.UnitSpec(name="a", source=str(source)), known_facts=known)
        runner.workdir = WorkDir(str(tmp_path / work), str(source))
        runner.workdir.sync()
        return runner

    parsed = []
    real_read = hcl.read_module
    monkeypatch.setattr(hcl, "read_module", lambda path: parsed.append(path) or real_read(path))
    assert runner_for("cold")._module_info() == known["facts"]
    assert parsed == []  # no HCL parse in the unit
    assert runner_for("cold").workdir.read_meta("module.json")["facts"] == known["facts"]  # cached for warm runs

    # Edited after stack_run read it: the unit's own signature differs, so it parses the module itself.
    (source / "main.tf").write_text('variable "name" {\n  type    = string\n  default = "x"\n}\n')
    facts = runner_for("edited")._module_info()
    assert [p.rstrip("/") for p in parsed] == [str(source)]
    assert facts["variables"]["name"]["required"] is False
