#!/usr/bin/env python3
"""What does a separate plan cost a unit that has changes to apply? Two paths, one run.

  saved plan   terraform plan -out (lock, read state, plan, unlock), then apply of that plan
               (lock, read state, apply, write state, unlock): what a unit did for every change
  one apply    terraform apply -auto-approve: one process, one lock, plan and apply inside it

Both against the same S3 backend with DynamoDB locking on a local moto endpoint
(tools/moto_one_write.py), on one work dir with terraform_data resources whose input changes
every round (so every round has a change to write), the two paths alternating so that load
and cache effects fall on both alike. Prints seconds per round for each path and their
difference; exits 0 (figures, not a test), non-zero only when it could not run.

  .venv/bin/python bench/apply_paths.py [--rounds 10] [--delay 0] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

from baselines import backend_block  # noqa: E402
from local_endpoint import moto_endpoint  # noqa: E402
from lock_stress import BUCKET, REGION, TABLE, bootstrap  # noqa: E402

MAIN_TF = """\
variable "x" { default = "0" }
variable "delay" { default = 0 }
resource "terraform_data" "a" {
  input = var.x
  provisioner "local-exec" { command = "sleep ${var.delay}" }
}
resource "terraform_data" "b" { input = "${var.x}-b" }
output "a" { value = terraform_data.a.output }
"""


def timed(argv: list, cwd: Path, env: dict) -> float:
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (rc %d):\n%s" % (" ".join(argv[1:3]), proc.returncode, proc.stdout[-1500:] + proc.stderr[-1500:]))
    return time.monotonic() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="rounds per path (alternating)")
    parser.add_argument("--delay", type=int, default=0, help="seconds each apply sleeps (cloud latency)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)
    terraform = shutil.which("terraform") or shutil.which("tofu")
    if not terraform:
        print("no terraform or tofu on PATH", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="apply-paths-"))
    with moto_endpoint(work / "server.log") as url:
        bootstrap(url)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION=REGION,
                   TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0")
        unit = work / "unit"
        unit.mkdir()
        (unit / "main.tf").write_text(MAIN_TF)
        (unit / "backend.tf.json").write_text(json.dumps(backend_block(BUCKET, TABLE, REGION, url, "paths/terraform.tfstate")))
        timed([terraform, "init", "-input=false", "-no-color"], unit, env)
        flags = ["-input=false", "-no-color", "-json", "-var=delay=%d" % args.delay]
        saved, direct = [], []
        for r in range(args.rounds * 2):
            var = "-var=x=round-%d" % r
            if r % 2 == 0:
                plan = timed([terraform, "plan", *flags, var, "-out=r.tfplan"], unit, env)
                apply = timed([terraform, "apply", "-input=false", "-no-color", "-json", "-auto-approve", "r.tfplan"], unit, env)
                saved.append(plan + apply)
            else:
                direct.append(timed([terraform, "apply", *flags, var, "-auto-approve"], unit, env))
    figures = {"rounds": args.rounds, "delay": args.delay,
               "saved_plan_s": {"mean": statistics.mean(saved), "median": statistics.median(saved)},
               "one_apply_s": {"mean": statistics.mean(direct), "median": statistics.median(direct)}}
    figures["saved_minus_one_s"] = figures["saved_plan_s"]["median"] - figures["one_apply_s"]["median"]
    print("rounds per path %d, apply sleeps %d s, one moto endpoint, S3 backend + DynamoDB lock" % (args.rounds, args.delay))
    print("%-28s %8s %8s" % ("path", "median s", "mean s"))
    print("%-28s %8.2f %8.2f" % ("plan -out + apply plan", figures["saved_plan_s"]["median"], figures["saved_plan_s"]["mean"]))
    print("%-28s %8.2f %8.2f" % ("apply -auto-approve", figures["one_apply_s"]["median"], figures["one_apply_s"]["mean"]))
    print("a separate plan costs %.2f s per applied unit (medians)" % figures["saved_minus_one_s"])
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
