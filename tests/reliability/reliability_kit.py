"""Tools the fault-injection tests share: state stores, terraform process hunting, a stoppable
endpoint, a process-list watcher, stack projects and leak scans. No mocks: every fault is real
(a SIGKILL, a refused TCP connection, an object overwritten through the S3 API)."""
from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

import yaml

from ansible_collections.groundwork.terraform.plugins.module_utils.state_backend import backend_config
from ansible_collections.groundwork.terraform.plugins.module_utils.unit import UnitRunner, UnitSpec

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"
MODULES = REPO / "tests" / "fixtures" / "modules"
BIN = Path(sys.executable).parent
# Every reliability unit carries this secret (vault_chain's password); no output, log, argv,
# failure message or readable file may ever show it, nor the sensitive output derived from it.
SECRET = "gw-secret-%s" % uuid.uuid4().hex[:12]
TOKEN = "tok-" + SECRET
# The AWS secret key the reliability runs use (moto accepts any): it must not leak either.
AWS_SECRET = "gw-aws-secret-%s" % uuid.uuid4().hex[:12]
AWS_ENV = {"AWS_ACCESS_KEY_ID": "gwreliability", "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
LOCK_KINDS = ("dynamodb", "s3-lockfile")


# ----------------------------------------------------------------------------- AWS side

class Aws:
    """boto3 clients on the local endpoint."""

    def __init__(self, endpoint):
        import boto3
        self.endpoint = endpoint
        kwargs = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="gwreliability",
                      aws_secret_access_key=AWS_SECRET)
        self.s3 = boto3.client("s3", **kwargs)
        self.dynamodb = boto3.client("dynamodb", **kwargs)

    def new_store(self, lock_kind, endpoint=None):
        """A versioned state bucket (+ lock table for dynamodb); returns state_backend's backend_config."""
        name = "gw-rel-%s" % uuid.uuid4().hex[:10]
        self.s3.create_bucket(Bucket=name)
        self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        table = None
        if lock_kind == "dynamodb":
            table = name + "-lock"
            self.dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                       KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                                       AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])
        return backend_config(name, "us-east-1", lock_table=table, endpoint_url=endpoint or self.endpoint)

    def state_bytes(self, backend, key=None):
        try:
            return self.s3.get_object(Bucket=backend["bucket"], Key=key or backend["key"])["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None

    def state(self, backend, key=None):
        body = self.state_bytes(backend, key)
        return json.loads(body) if body else None

    def versions(self, backend):
        listing = self.s3.list_object_versions(Bucket=backend["bucket"], Prefix=backend["key"])
        return [v for v in listing.get("Versions", []) if v["Key"] == backend["key"]]

    def digest(self, backend):
        item = self.dynamodb.get_item(TableName=backend["dynamodb_table"],
                                      Key={"LockID": {"S": "%s/%s-md5" % (backend["bucket"], backend["key"])}})
        return item.get("Item", {}).get("Digest", {}).get("S")

    def lock(self, backend):
        """The lock info JSON of whoever holds the unit's lock (either kind), else None."""
        if backend.get("dynamodb_table"):
            item = self.dynamodb.get_item(TableName=backend["dynamodb_table"], ConsistentRead=True,
                                          Key={"LockID": {"S": "%s/%s" % (backend["bucket"], backend["key"])}})
            info = item.get("Item", {}).get("Info", {}).get("S")
            return json.loads(info) if info else None
        try:
            body = self.s3.get_object(Bucket=backend["bucket"], Key=backend["key"] + ".tflock")["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return json.loads(body)

    def wait_for_lock(self, backend, operation="OperationTypeApply", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.lock(backend)
            if info and info.get("Operation") == operation:
                return info
            time.sleep(0.1)
        raise AssertionError("no %s lock on %s/%s within %ss" % (operation, backend["bucket"], backend["key"],
                                                                  timeout))


# ----------------------------------------------------------------------------- units

def run_unit(work_root, cache_dir, **options):
    """Run one unit through UnitRunner (what the unit module runs); returns its result dict."""
    options.setdefault("name", "app")
    options.setdefault("source", str(MODULES / "vault_chain"))
    options.setdefault("work_dir", str(Path(work_root) / options["name"]))
    options.setdefault("plugin_cache_dir", str(cache_dir))
    inputs = options.setdefault("inputs", {})
    if options["source"].endswith("vault_chain"):
        inputs.setdefault("password", SECRET)
    started = time.monotonic()
    runner = UnitRunner(UnitSpec(**options))
    result = runner.run()
    result["_seconds"] = round(time.monotonic() - started, 2)
    return result


class Background(threading.Thread):
    """Run a callable in a thread; ``.result``/``.error`` afterwards."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.result, self.error = call, None, None
        self.start()

    def run(self):
        try:
            self.result = self.call()
        except Exception as exc:  # reported by the test that waits for it
            self.error = exc

    def outcome(self, timeout=120):
        self.join(timeout)
        assert not self.is_alive(), "background run did not finish in %ss" % timeout
        return self.error or self.result


def terraform_processes(under, subcommand=None):
    """PIDs (with argv) of terraform processes whose working directory is inside ``under``."""
    found = []
    under = str(under)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(str(proc / "cwd"))
        except OSError:
            continue
        if argv and argv[0].endswith((b"terraform", b"tofu")) and (cwd == under or cwd.startswith(under + "/")):
            if subcommand is None or (len(argv) > 1 and argv[1] == subcommand.encode()):
                found.append((int(proc.name), [a.decode(errors="replace") for a in argv if a]))
    return found


def refuse_ended_run(run, waiting_for):
    """Fail at once, with what the run said, when ``run`` has ended: a playbook (Stack.start) or
    a Background; waiting on for a process or a log line it will never produce only hides why."""
    if run is None:
        return
    if isinstance(run, Background):
        if run.is_alive():
            return
        said = [str(run.error or run.result)]
        ended = "the background run ended"
    else:
        if run.poll() is None:
            return
        run.output_file.seek(0)
        output = run.output_file.read()
        said = failure_messages(output) or [output[-3000:]]
        ended = "the playbook ended (rc %s)" % run.returncode
    raise AssertionError("%s before %s:\n%s" % (ended, waiting_for, "\n".join(said)))


def wait_for_terraform(under, subcommand, timeout=60, run=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = terraform_processes(under, subcommand)
        if found:
            return found[0][0]
        refuse_ended_run(run, "terraform %s started under %s" % (subcommand, under))
        time.sleep(0.05)
    raise AssertionError("no terraform %s started under %s within %ss" % (subcommand, under, timeout))


def wait_until_no_terraform(under, timeout=60):
    deadline = time.monotonic() + timeout
    while terraform_processes(under):
        assert time.monotonic() < deadline, "terraform still runs under %s after %ss" % (under, timeout)
        time.sleep(0.1)


def log_size(path):
    try:
        return os.path.getsize(str(path))
    except OSError:
        return 0


def wait_for_text(path, text, timeout=60, after=0, run=None):
    """Wait until ``text`` is in the file (past byte ``after``: logs accumulate over runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(str(path), "rb") as handle:
                handle.seek(after)
                if text.encode() in handle.read():
                    return
        except OSError:
            pass
        refuse_ended_run(run, "%r appeared in %s" % (text, path))
        time.sleep(0.05)
    raise AssertionError("%r never appeared in %s" % (text, path))


def kill_terraform(pid, sig=signal.SIGKILL):
    os.kill(pid, sig)


# ----------------------------------------------------------------------------- faults

class StoppableEndpoint:
    """A TCP forwarder in front of the moto server that stands for "the endpoint".

    stop() closes the listening socket and every connection: terraform then gets exactly what a
    stopped endpoint gives, connection refused. Stopping moto itself would lose its in-memory
    buckets, which a real S3 outage does not; start() brings the same endpoint back on the same port.
    """

    def __init__(self, upstream_url):
        host_port = upstream_url.rsplit("/", 1)[-1].split(":")
        self.upstream = (host_port[0], int(host_port[1]))
        self.port = 0
        self.sock = None
        self.connections = []
        self.lock = threading.Lock()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(64)
        threading.Thread(target=self._accept, args=(self.sock,), daemon=True).start()
        return self

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(left, right):
        try:
            while True:
                ready, _, _ = select.select([left, right], [], [])
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    (right if sock is left else left).sendall(data)
        except OSError:
            for sock in (left, right):
                try:
                    sock.close()
                except OSError:
                    pass

    def stop(self):
        # shutdown() first: a thread blocked in accept() keeps a merely closed socket listening.
        for sock in [self.sock] + self.connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass
        with self.lock:
            self.connections = []


class AnsweringProxy:
    """An HTTP proxy in front of moto that answers chosen requests itself, as AWS could have.

    ``rule(target, body)`` gets DynamoDB's X-Amz-Target and the request body; it returns None to
    pass the request on, ``(status, json_payload, error_type)`` to answer instead, or DROP to pass
    it on and then cut the connection before the answer (the network failing after the request).
    """

    DROP = "drop"

    def __init__(self, upstream_url, rule):
        import http.client
        import http.server
        import urllib.parse
        upstream = urllib.parse.urlparse(upstream_url)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Each response in one send, as tools/moto_one_write.py does for the endpoint: headers
            # and body in two segments let terraform's AWS SDK resend the request. A resent lock
            # PutItem that this proxy had refused then reached moto and took the lock (CI, stop 11).
            wbufsize = 1 << 20

            def log_message(self, *args):
                pass

            def do_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = rule(self.headers.get("X-Amz-Target") or "", body)
                if answer and answer != AnsweringProxy.DROP:
                    status, payload, error_type = answer
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                    if error_type:
                        self.send_header("x-amzn-ErrorType", error_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    proxy.answered.append(self.headers.get("X-Amz-Target"))
                    return
                conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                if answer == AnsweringProxy.DROP:  # processed upstream; the client never hears of it
                    proxy.answered.append(self.headers.get("X-Amz-Target"))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_any

        self.answered = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # close() must not wait for idle keep-alive connections
        self.server.block_on_close = False
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ProcessWatcher(threading.Thread):
    """Samples every process's argv; remembers those holding a needle (secrets, -backend-config)."""

    def __init__(self, needles, interval=0.1):
        super().__init__(daemon=True)
        self.needles = [n.encode() for n in needles]
        self.interval = interval
        self.hits = []
        self.terraform_argvs = set()
        self.stopping = threading.Event()
        self.start()

    def run(self):
        while not self.stopping.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    raw = (proc / "cmdline").read_bytes()
                except OSError:
                    continue
                if any(needle in raw for needle in self.needles):
                    self.hits.append(raw.replace(b"\0", b" ").decode(errors="replace")[:300])
                if raw.split(b"\0", 1)[0].endswith(b"terraform"):
                    self.terraform_argvs.add(raw.replace(b"\0", b" ").decode(errors="replace")[:200])
            time.sleep(self.interval)

    def stop(self):
        self.stopping.set()
        self.join(10)


def readable_by_others(root, path):
    """Whether another local user could read ``path``: o+r on it and o+x on every dir below ``root``.

    ``root`` is the project (assumed shared with others, like a checkout); pytest's own 0700
    temp dirs above it would otherwise hide everything and prove nothing.
    """
    path, root = Path(path), Path(root)
    if not os.stat(path).st_mode & stat.S_IROTH:
        return False
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            break
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    return True


def files_holding(root, needles):
    """Every file under root holding any needle (zip members of plan files searched too)."""
    found = []
    encoded = [n.encode() for n in needles]
    for path in Path(root).rglob("*"):
        if not path.is_file() or path.is_symlink() or "/.terraform/providers/" in str(path):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        blobs = [data]
        if data[:2] == b"PK":
            try:
                with zipfile.ZipFile(str(path)) as archive:
                    blobs += [archive.read(member) for member in archive.namelist()]
            except (zipfile.BadZipFile, OSError):
                pass
        if any(needle in blob for blob in blobs for needle in encoded):
            found.append(path)
    return found


# ----------------------------------------------------------------------------- stacks

def ansible_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENV)
    env.update({"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "ANSIBLE_CALLBACK_RESULT_FORMAT": "json", "PATH": "%s:%s" % (BIN, os.environ.get("PATH", ""))})
    env.update(extra or {})
    return env


class Stack:
    """A project dir with an inventory of units (one host each) and the playbooks run on it."""

    def __init__(self, project, endpoint, backend, units, env_name="rel", extra_vars=None):
        self.project = Path(project)
        self.inventory = self.project / "inventory"
        self.endpoint = endpoint
        self.backend = backend
        self.env_name = env_name
        self.work_root = self.project / "work"
        self.group_vars = {"env_name": env_name, "aws_region": "us-east-1", "aws_endpoint_url": endpoint,
                           "tf_state_bucket": backend["bucket"], "terraform_modules_dir": str(MODULES),
                           "groundwork_work_root": str(self.work_root), "tf_state_enforce_tls": False,
                           "terraform_plugin_cache_dir": str(self.project / "plugin-cache")}
        if backend.get("dynamodb_table"):
            self.group_vars["tf_lock_table"] = backend["dynamodb_table"]
        self.group_vars.update(extra_vars or {})
        self.history = []  # every finished ansible-playbook run (CompletedProcess), for leak scans
        self.write(units)
        # Ansible's temp files (module args hold the inputs) inside the project, so scans see them.
        self.env = ansible_env({"ANSIBLE_LOCAL_TEMP": str(self.project / "ansible-tmp"),
                                "ANSIBLE_REMOTE_TEMP": str(self.project / "ansible-tmp")})

    def write(self, units):
        self.units = units
        (self.inventory / "group_vars").mkdir(parents=True, exist_ok=True)
        (self.inventory / "hosts.yml").write_text(yaml.safe_dump(
            {"all": {"children": {"terraform_units": {"hosts": units}}}}, sort_keys=False))
        (self.inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(self.group_vars))

    def key(self, unit):
        return "%s/us-east-1/%s/terraform.tfstate" % (self.env_name, unit)

    def unit_backend(self, unit):
        return dict(self.backend, key=self.key(unit))

    def work_dir(self, unit):
        return self.work_root / "units" / self.backend["bucket"] / self.env_name / "us-east-1" / unit

    def log(self, unit):
        return self.work_dir(unit) / ".groundwork" / ("%s.log" % unit)

    def argv(self, playbook, *args, mode=None):
        # "groundwork.terraform.unlock" (a collection playbook, as the recovery messages say) or a file name
        where = playbook if playbook.startswith("groundwork.") else str(PLAYBOOKS / playbook)
        argv = [str(BIN / "ansible-playbook"), where, "-i", str(self.inventory)]
        if mode:
            argv += ["-e", "stack_mode=%s" % mode]
        return argv + list(args)

    def run(self, playbook, *args, mode=None, env=None, timeout=300):
        env = dict(self.env, **(env or {}))
        proc = subprocess.run(self.argv(playbook, *args, mode=mode), cwd=str(self.project), env=env,
                              capture_output=True, text=True, timeout=timeout)
        self.history.append(proc)
        return proc

    def start(self, playbook, *args, mode=None):
        """Start a playbook in its own session (as a terminal would: Ctrl-C reaches its group)."""
        out = open(self.project / ("%s-%d.out" % (Path(playbook).stem, time.time_ns())), "w+")
        proc = subprocess.Popen(self.argv(playbook, *args, mode=mode), cwd=str(self.project), env=self.env,
                                stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        proc.output_file = out
        return proc

    def summary(self, mode):
        path = self.project / ".groundwork" / "runs" / ("%s-%s-summary.json" % (self.env_name, mode))
        data = json.loads(path.read_text())
        return data, {row["unit"]: row for row in data["units"]}

    def limit_file(self, mode):
        return self.project / ".groundwork" / "runs" / ("%s-%s.limit" % (self.env_name, mode))


def failure_messages(text):
    """msg of every failed task in ansible output (JSON result format: one line per result)."""
    found = []
    for line in text.splitlines():
        if "FAILED! => " in line:
            try:
                found.append(json.loads(line.split("FAILED! => ", 1)[1]).get("msg", ""))
            except ValueError:
                found.append(line)
    return found


def one_line(message):
    return "\n" not in message.strip()


def command_in(message, prefix):
    """The command starting with ``prefix`` inside a message, up to the next ' (' or ';'."""
    match = re.search(re.escape(prefix) + r"[^;()]*", message)
    assert match, "no %r command in: %s" % (prefix, message)
    return match.group(0).strip()
