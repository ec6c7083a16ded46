#!/usr/bin/env python3
"""Start, check and stop a LocalStack-compatible AWS endpoint on loopback.

Reuses an endpoint that already answers (LocalStack in Docker, or a moto server someone
started); otherwise starts moto's server (``moto_one_write.py``) with the running interpreter and
records its PID, so ``down`` stops only what ``up`` started.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STATE_DIR = Path(os.environ.get("GROUNDWORK_STATE_DIR", ".groundwork"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when an S3-compatible endpoint answers ListBuckets (any HTTP answer counts)."""
    try:
        urllib.request.urlopen(url, timeout=timeout).read()
        return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def start_moto(port: int, log_path: Path) -> subprocess.Popen:
    # moto_server, sending each response in one write (see moto_one_write.py for why)
    argv = [sys.executable, str(Path(__file__).with_name("moto_one_write.py")), "-H", "127.0.0.1", "-p", str(port)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_healthy(url: str, proc: subprocess.Popen | None, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"endpoint process exited with code {proc.returncode}")
        if answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"endpoint {url} did not become healthy within {seconds:.0f}s")


def stop_pid(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            # Reap it when it is our child: a zombie still answers kill(pid, 0).
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextlib.contextmanager
def moto_endpoint(log_path: Path):
    """A moto server of this process's own on a free loopback port, healthy, for a ``with``
    block: yields its URL and stops it by PID at the end (benchmarks measuring one question)."""
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    proc = start_moto(port, log_path)
    try:
        wait_until_healthy(url, proc)
        yield url
    finally:
        stop_pid(proc.pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("GROUNDWORK_LOCAL_PORT", "4566")))
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}"
    pid_file = STATE_DIR / f"local-endpoint-{args.port}.pid"

    if args.action == "status":
        state = "up" if answers(url) else "down"
        print(json.dumps({"endpoint": url, "state": state, "pid_file": str(pid_file)}))
        return 0 if state == "up" else 1

    if args.action == "down":
        if not pid_file.exists():
            print(f"nothing to stop: {pid_file} not found (an endpoint we did not start is left alone)")
            return 0
        stop_pid(int(pid_file.read_text().strip()))
        pid_file.unlink()
        print(f"stopped the endpoint on {url}")
        return 0

    if answers(url):
        print(f"reusing the endpoint already answering on {url}")
        return 0
    proc = start_moto(args.port, STATE_DIR / f"local-endpoint-{args.port}.log")
    try:
        wait_until_healthy(url, proc)
    except RuntimeError as exc:
        stop_pid(proc.pid)
        print(f"local endpoint failed: {exc}; see {STATE_DIR}/local-endpoint-{args.port}.log", file=sys.stderr)
        return 1
    pid_file.write_text(str(proc.pid))
    print(f"moto server up on {url} (pid {proc.pid}); credentials test/test, region us-east-1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
