"""A real terraform state to read back: a tiny terraform_data module applied with a local state.

terraform_data is built into terraform, so init needs no provider and no network. The state is
applied once per test session (and per xdist worker) and reused by every test that needs one.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

SAMPLE_MODULE = """
variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cr3t-value"
}

resource "terraform_data" "this" {
  input = "vpc-0abc"
}

output "vpc_id" {
  value = terraform_data.this.output
}

output "subnet_ids" {
  value = ["subnet-a", "subnet-b"]
}

output "settings" {
  value = { cidr = "10.0.0.0/16", azs = 2 }
}

output "db_password" {
  value     = var.secret
  sensitive = true
}
"""

SAMPLE_OUTPUTS = {
    "vpc_id": "vpc-0abc",
    "subnet_ids": ["subnet-a", "subnet-b"],
    "settings": {"cidr": "10.0.0.0/16", "azs": 2},
    "db_password": "s3cr3t-value",
}


def applied_state(terraform_bin, base_dir):
    """Path of terraform.tfstate of SAMPLE_MODULE applied under base_dir (applied once, then reused)."""
    work = Path(base_dir) / "tf-sample-state"
    state = work / "terraform.tfstate"
    if state.exists():
        return state
    work.mkdir(parents=True, exist_ok=True)
    (work / "main.tf").write_text(SAMPLE_MODULE)
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_WORKSPACE", None)
    for argv in ([terraform_bin, "init", "-input=false", "-no-color"],
                 [terraform_bin, "apply", "-auto-approve", "-input=false", "-no-color"]):
        proc = subprocess.run(argv, cwd=str(work), env=env, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError("%s failed:\n%s\n%s" % (" ".join(argv[1:2]), proc.stdout[-3000:], proc.stderr[-3000:]))
    return state
