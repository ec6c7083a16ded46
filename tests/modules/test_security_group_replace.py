"""terraform-modules/security-group is replaced create-before-destroy: a new description (which
replaces a group) applies, on the local endpoint with the real AWS provider. With a fixed name
the new group collided with the old one (InvalidGroup.Duplicate); use_name_prefix (the default)
gives each group its own name."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import modtest

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

MODULE = Path(__file__).resolve().parents[2] / "terraform-modules" / "security-group"
ROOT = """
variable "description" { type = string }

resource "aws_vpc" "this" {
  cidr_block = "10.77.0.0/16"
}

module "sg" {
  source      = "%s"
  name        = "replaced"
  %s
  description = var.description
  vpc_id      = aws_vpc.this.id
}
"""


def apply(terraform_bin, work, env, description):
    return subprocess.run([terraform_bin, "apply", "-auto-approve", "-no-color", "-var", "description=" + description],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name_setting, replaced", [("", True), ("use_name_prefix = false", False)],
                         ids=["default-prefix", "fixed-name"])
def test_a_new_description_replaces_the_group(name_setting, replaced, terraform_bin, provider_mirror, local_aws,
                                               tmp_path):
    work = tmp_path / "root"
    work.mkdir()
    (work / "main.tf").write_text(ROOT % (MODULE, name_setting))
    # the example test's provider config (test keys, real-AWS checks skipped); the endpoint as AWS_ENDPOINT_URL
    (work / "provider.tf.json").write_text(json.dumps(modtest.provider_config([])))
    env = dict(modtest.terraform_env(provider_mirror, tmp_path / "tf"), AWS_ENDPOINT_URL=local_aws)
    init = subprocess.run([terraform_bin, "init", "-no-color"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=600)
    assert init.returncode == 0, init.stdout[-2000:] + init.stderr[-2000:]
    first = apply(terraform_bin, work, env, "first")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    second = apply(terraform_bin, work, env, "second")
    if replaced:
        assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
        assert "1 added, 0 changed, 1 destroyed" in second.stdout
    else:  # what the module did before use_name_prefix: the documented trade-off of a fixed name
        assert second.returncode != 0
        assert "InvalidGroup.Duplicate" in second.stderr, second.stderr[-2000:]
