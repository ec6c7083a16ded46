#!/usr/bin/env python3
"""Does terraform lose its own state lock against a local moto server? Stock vs one write per response.

terraform's S3 backend takes its lock with a DynamoDB PutItem. Stock ``moto_server`` (werkzeug)
sends a response's headers and its body in two writes; when the body arrives in a later TCP
segment, terraform's AWS SDK can drop the connection, retry the request, and the resent PutItem
then fails against the lock the first attempt took: "Error acquiring the state lock" on a state
nobody else uses (hashicorp/terraform#16630). tools/moto_one_write.py sends each response in
one write. This benchmark runs the same load against both, one after the other, in one run:

  for each server: start it on a free loopback port, create the state bucket and lock table,
  then --units terraform work dirs at once (terraform_data only, each its own state key), each
  init once, then --rounds times plan -out + apply of that plan with a changed input.

It counts successful applies, lock errors and SDK resends (the "retrying request" lines of
terraform's debug log, TF_LOG=debug per process), and the wall time of the terraform work.
Both are rare, load-dependent events: on a 2-core machine with 8-12 units, stock moto_server
gave 45 resends and 6 lock errors in 2511 applies, one write per response 0 and 0 in 2080.
A default run (80 applies per server) sees a few at most; raise --units/--rounds, or repeat,
to tell the servers apart. Prints figures and exits 0; non-zero only when it could not run.

  .venv/bin/python bench/lock_stress.py [--units 8] [--rounds 10] [--servers stock,one-write]
                                        [--keep] [--json PATH]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

from baselines import backend_block  # noqa: E402
from local_endpoint import free_port, stop_pid, wait_until_healthy  # noqa: E402

BUCKET, TABLE, REGION = "lock-stress-state", "lock-stress-lock", "us-east-1"
LOCK_ERROR = "Error acquiring the state lock"
LOCK_ID = re.compile(r"ID:\s+([0-9a-f-]{36})")
RESEND = re.compile(r"retrying request (\S+?),")
SERVERS = ("stock", "one-write")  # stock: .venv/bin/moto_server; one-write: tools/moto_one_write.py
COMMAND_TIMEOUT = 600  # a hung terraform counts as a failure instead of hanging the bench
MAIN_TF = """\
variable "x" { default = "0" }
resource "terraform_data" "a" { input = var.x }
resource "terraform_data" "b" { input = "${var.x}-b" }
"""


def server_argv(name: str, port: int) -> list[str]:
    """The command line of a server variant, from the interpreter running this script (the .venv)."""
    args = ["-H", "127.0.0.1", "-p", str(port)]
    if name == "stock":
        # not resolved: .venv/bin/python is a symlink, moto_server sits next to the link
        return [str(Path(sys.executable).with_name("moto_server")), *args]
    return [sys.executable, str(REPO / "tools" / "moto_one_write.py"), *args]


def bootstrap(url: str) -> None:
    import boto3
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    boto3.client("s3", **kw).create_bucket(Bucket=BUCKET)
    boto3.client("dynamodb", **kw).create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])


def run_unit(terraform: str, unit_dir: Path, env: dict, rounds: int) -> dict:
    """init once, then per round plan -out + apply; returns this unit's counts."""
    counts, resends, first_error = Counter(), Counter(), None
    (unit_dir / "logs").mkdir()

    def tf(step: str, *args: str) -> tuple[int, str]:
        nonlocal first_error
        log = unit_dir / "logs" / f"{step}.log"
        try:
            proc = subprocess.run([terraform, *args], cwd=unit_dir, env=dict(env, TF_LOG_PATH=str(log)),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=COMMAND_TIMEOUT)
            rc, out = proc.returncode, proc.stdout
        except subprocess.TimeoutExpired:
            rc, out = -1, f"timed out after {COMMAND_TIMEOUT} s"
        if log.exists():
            resends.update(RESEND.findall(log.read_text(errors="replace")))
        if rc != 0 and LOCK_ERROR in out:
            counts["lock_errors"] += 1
            # terraform believes it never got the lock, so the item its first PutItem wrote stays:
            # release it, or every later round of this unit fails on it too
            found = LOCK_ID.search(out)
            if found:
                tf(f"{step}-unlock", "force-unlock", "-force", found.group(1))
        elif rc != 0:
            counts["other_failures"] += 1
            if first_error is None:
                first_error = f"{unit_dir.name} {step}: {out.strip()[-800:]}"
        return rc, out

    if tf("init", "init", "-input=false", "-no-color")[0] == 0:
        for r in range(rounds):
            # a new input every round, so each apply has a change to write (state PUT under the lock)
            if tf(f"r{r:02d}-plan", "plan", "-input=false", "-no-color", f"-var=x={r}", "-out=round.tfplan")[0]:
                continue
            if tf(f"r{r:02d}-apply", "apply", "-input=false", "-no-color", "round.tfplan")[0] == 0:
                counts["applies"] += 1
    return {"counts": counts, "resends": resends, "first_error": first_error}


def run_server(name: str, terraform: str, work: Path, units: int, rounds: int) -> dict:
    """One server variant: start it, bootstrap the backend, run the units, stop it."""
    root = work / name
    root.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = root / "server.log"
    with open(log_path, "wb") as log:
        # own process group, so stop_pid ends the server and anything it started
        proc = subprocess.Popen(server_argv(name, port), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        try:
            wait_until_healthy(url, proc)
            bootstrap(url)
        except Exception as exc:  # the server or the bootstrap failed: this variant could not run
            tail = log_path.read_text(errors="replace").strip()[-600:]
            return {"server": name, "error": f"{exc}; server log: {tail}"}
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION=REGION,
                   TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_LOG="debug")
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):  # nothing may point elsewhere
            env.pop(var, None)
        dirs = []
        for i in range(units):
            unit_dir = root / f"u{i:02d}"
            unit_dir.mkdir()
            (unit_dir / "main.tf").write_text(MAIN_TF)
            backend = backend_block(BUCKET, TABLE, REGION, url, f"lock-stress/{unit_dir.name}/terraform.tfstate")
            (unit_dir / "backend.tf.json").write_text(json.dumps(backend, indent=1))
            dirs.append(unit_dir)
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=units) as pool:
            done = list(pool.map(lambda d: run_unit(terraform, d, env, rounds), dirs))
        seconds = time.monotonic() - start
    finally:
        stop_pid(proc.pid)
        proc.wait(timeout=10)
    counts, resends = Counter(), Counter()
    for unit in done:
        counts.update(unit["counts"])
        resends.update(unit["resends"])
    errors = [u["first_error"] for u in done if u["first_error"]]
    return {"server": name, "applies": counts["applies"], "lock_errors": counts["lock_errors"],
            "sdk_resends": sum(resends.values()), "resends_by_request": dict(resends),
            "other_failures": counts["other_failures"], "first_failure": errors[0] if errors else None,
            "seconds": round(seconds, 1)}


def comparison(base: dict, other: dict) -> str:
    def rate(res, key):
        return 100.0 * res[key] / res["applies"] if res["applies"] else float("nan")

    def change(key):
        a, b = rate(base, key), rate(other, key)
        ratio = f", {b / a:.2f}x" if a else ""
        return f"{a:.2f} -> {b:.2f} ({b - a:+.2f}{ratio})"
    return (f"{base['server']} -> {other['server']}, per 100 applies: SDK resends {change('sdk_resends')}; "
            f"lock errors {change('lock_errors')}; wall {base['seconds']:.1f} s -> {other['seconds']:.1f} s "
            f"({other['seconds'] / base['seconds']:.2f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=8, help="concurrent terraform work dirs per server")
    parser.add_argument("--rounds", type=int, default=10, help="plan + apply rounds per work dir")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated, of: " + ", ".join(SERVERS))
    parser.add_argument("--keep", action="store_true", help="keep the work dir (terraform debug logs, server logs)")
    parser.add_argument("--json", metavar="PATH", help="write the results here")
    args = parser.parse_args(argv)
    servers = [s for s in args.servers.split(",") if s]
    unknown = sorted(set(servers) - set(SERVERS))
    if unknown or not servers or args.units < 1 or args.rounds < 1:
        parser.error(f"--servers takes {', '.join(SERVERS)}; --units and --rounds at least 1")

    terraform = shutil.which("terraform") or shutil.which("tofu")
    if not terraform:
        print("lock_stress: neither terraform nor tofu is on PATH", file=sys.stderr)
        return 2
    if importlib.util.find_spec("boto3") is None:  # the bootstrap needs it: fail before starting anything
        print("lock_stress: boto3 missing; run it with the project's .venv/bin/python", file=sys.stderr)
        return 2
    if "stock" in servers and not Path(server_argv("stock", 0)[0]).exists():
        print(f"lock_stress: {server_argv('stock', 0)[0]} not found; run it with the project's .venv/bin/python",
              file=sys.stderr)
        return 2
    version = subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.split("\n")[0]

    work = Path(tempfile.mkdtemp(prefix="lock-stress-"))
    print(f"{version} ({terraform}); {args.units} units x {args.rounds} rounds per server; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; work dir {work}", flush=True)
    results = []
    try:
        for name in servers:
            results.append(run_server(name, terraform, work, args.units, args.rounds))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'server':<10} {'applies':>8} {'lock errors':>12} {'SDK resends':>12} {'seconds':>8}")
    for res in results:
        if "error" in res:
            print(f"{res['server']:<10} ERROR {res['error']}")
            continue
        print(f"{res['server']:<10} {res['applies']:>8} {res['lock_errors']:>12} {res['sdk_resends']:>12} "
              f"{res['seconds']:>8.1f}")
    for res in results:
        if res.get("other_failures"):
            print(f"note: {res['server']}: {res['other_failures']} other terraform failures, first: "
                  f"{res['first_failure']}")
        if res.get("resends_by_request"):
            print(f"{res['server']} resends by request: {res['resends_by_request']}")
    ran = [res for res in results if "error" not in res and res["applies"]]
    for other in ran[1:]:
        print(comparison(ran[0], other))
    if args.json:
        Path(args.json).write_text(json.dumps({"terraform": version, "units": args.units, "rounds": args.rounds,
                                               "cores": os.cpu_count(), "results": results}, indent=1) + "\n")
    return 1 if any("error" in res for res in results) else 0


if __name__ == "__main__":
    sys.exit(main())
