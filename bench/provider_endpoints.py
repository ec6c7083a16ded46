#!/usr/bin/env python3
"""What does an ``endpoints`` block in the AWS provider cost an apply? Two spellings, one run.

  endpoints block   provider "aws" { endpoints { ssm = URL ... } }: how LocalStack's docs and
                    tflocal point the provider at a local endpoint, and how bench/baselines.py
                    wrote the shell loop's provider at first
  AWS_ENDPOINT_URL  no endpoints block; the endpoint in the environment, which the provider
                    (>= 5.x, AWS SDK v2) applies to every service: what a unit generates

Each round makes a fresh root module (the aws_chain fixture: two terraform_data and one SSM
parameter), inits it from the provider mirror, and times one ``apply -auto-approve`` against
a local moto endpoint with an S3 backend and DynamoDB lock; the two spellings alternate so
that load falls on both alike. The provider starts four times in an apply; with the block,
three of those starts spend seconds validating and configuring it (measured with TF_LOG: the
gap before "Configuring Terraform AWS Provider"). Prints seconds per apply for each spelling
and their ratio; exits 0 (figures, not a test), non-zero only when it could not run.

  .venv/bin/python bench/provider_endpoints.py [--rounds 3] [--services ssm,sts,s3,dynamodb,iam]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

from apply_paths import timed  # noqa: E402
from baselines import backend_block, provider_block, write_cli_config  # noqa: E402
from local_endpoint import moto_endpoint  # noqa: E402
from lock_stress import BUCKET, REGION, TABLE, bootstrap  # noqa: E402
from toolchain import find_mirror  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "modules" / "aws_chain"


def provider(spelling: str, url: str, services: list) -> dict:
    """The baselines' provider block, plus an endpoints block for the "block" spelling."""
    config = provider_block(REGION)
    if spelling == "block":
        config["provider"]["aws"]["endpoints"] = {service: url for service in services}
    return config


def apply_once(terraform: str, root: Path, name: str, spelling: str, url: str, services: list, env: dict) -> float:
    unit = root / name
    unit.mkdir()
    for tf in FIXTURE.glob("*.tf"):
        shutil.copyfile(tf, unit / tf.name)
    (unit / "backend.tf.json").write_text(json.dumps(backend_block(BUCKET, TABLE, REGION, url, name + ".tfstate")))
    (unit / "provider.tf.json").write_text(json.dumps(provider(spelling, url, services)))
    (unit / "terraform.tfvars.json").write_text(json.dumps({"name": name}))
    run_env = dict(env, AWS_ENDPOINT_URL=url) if spelling == "env" else env
    timed([terraform, "init", "-input=false", "-no-color"], unit, run_env)
    return timed([terraform, "apply", "-auto-approve", "-input=false", "-no-color"], unit, run_env)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="applies per spelling (alternating)")
    parser.add_argument("--services", default="ssm,sts,s3,dynamodb,iam",
                        help="services the endpoints block names (default: the shell baseline's)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)
    terraform = shutil.which("terraform") or shutil.which("tofu")
    mirror = (find_mirror() or {}).get("path")
    if not terraform or not mirror:
        print("needs terraform (or tofu) on PATH and the hashicorp/aws provider mirror (tools/toolchain.py)",
              file=sys.stderr)
        return 2
    services = [s for s in args.services.split(",") if s]
    work = Path(tempfile.mkdtemp(prefix="provider-endpoints-"))
    with moto_endpoint(work / "server.log") as url:
        bootstrap(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION=REGION, TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1", TF_INPUT="0", TF_PLUGIN_CACHE_DIR=str(work / "plugin-cache"),
                   TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE="true",
                   TF_CLI_CONFIG_FILE=write_cli_config(str(work / "terraform.rc"), mirror))
        os.makedirs(env["TF_PLUGIN_CACHE_DIR"])
        times = {"block": [], "env": []}
        for r in range(args.rounds):
            for spelling in ("block", "env"):
                times[spelling].append(apply_once(terraform, work, "%s-%d" % (spelling, r), spelling, url, services, env))
    figures = {"rounds": args.rounds, "services": services, "terraform": terraform,
               "endpoints_block_s": times["block"], "aws_endpoint_url_s": times["env"],
               "ratio_of_medians": statistics.median(times["block"]) / statistics.median(times["env"])}
    print("one apply -auto-approve of the aws_chain fixture (2 terraform_data + 1 SSM parameter) on moto, "
          "%d rounds per spelling" % args.rounds)
    print("%-44s %8s   %s" % ("provider spelling", "median s", "each"))
    print("%-44s %8.2f   %s" % ("endpoints { %s }" % ", ".join(services), statistics.median(times["block"]),
                                " ".join("%.2f" % t for t in times["block"])))
    print("%-44s %8.2f   %s" % ("AWS_ENDPOINT_URL, no block", statistics.median(times["env"]),
                                " ".join("%.2f" % t for t in times["env"])))
    print("the endpoints block makes an apply %.2fx as long (medians)" % figures["ratio_of_medians"])
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
