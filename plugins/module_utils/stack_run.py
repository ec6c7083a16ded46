# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared record of one stack run: a directory of per-unit status files.

Units run as inventory hosts under Ansible's ``free`` strategy, each in its own worker
process. A unit waits until the status files of its dependencies say ``ok`` (ready-set
scheduling: it starts the moment its own dependencies finish, not when a level does),
and writes its own file when done (0600 in a 0700 dir). A status file holds the unit's
non-sensitive outputs only: dependents read a dependency with sensitive outputs from its
state (an S3 GET, no terraform process), so no secret is ever written here.

A waiting unit also leaves a FIFO under ``wake/<dependency>/``; a unit that finishes writes one
byte to each, so its dependents notice within a millisecond instead of at their next poll
(0-50 ms later, paid once per link of every chain). Polling stays as the fallback.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import select
import stat
import time
import uuid

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError
from ansible_collections.groundwork.terraform.plugins.module_utils.workdir import write_private

OK, FAILED, SKIPPED, RUNNING = "ok", "failed", "skipped", "running"
DONE = (OK, FAILED, SKIPPED)


class RunDir:
    def __init__(self, path):
        self.path = os.path.abspath(path)

    def create(self, manifest):
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        self._write("run.json", manifest)

    @property
    def manifest(self):
        data = self._read("run.json")
        if data is None:
            raise InputError("stack run dir %s has no run.json; run the stack's first play (it plans the run)"
                             % self.path)
        return data

    def status(self, unit):
        return self._read("unit-%s.json" % unit)

    def set_status(self, unit, status, **details):
        record = dict(details, unit=unit, status=status, at=time.time())
        self._write("unit-%s.json" % unit, record)
        if status in DONE:
            _wake_waiters(os.path.join(self.path, WAKE_DIR, unit))
        return record

    def statuses(self):
        found = {}
        for name in sorted(os.listdir(self.path)):
            if name.startswith("unit-") and name.endswith(".json"):
                record = self._read(name)
                if record:
                    found[record["unit"]] = record
        return found

    def wait_for(self, units, timeout, poll=0.05):
        """Block until every unit in ``units`` is done; returns their records.

        Stops early when one of them failed or was skipped (the caller is skipped then). Woken
        by a finishing unit's write to this waiter's FIFO (registered before the first look, so
        no finish is missed); without one it polls every ``poll`` seconds.
        """
        deadline = time.monotonic() + timeout
        records = {}
        pending = set(units)
        with self.wake_on(units) as wake:
            while pending:
                for unit in sorted(pending):
                    record = self.status(unit)
                    if record and record.get("status") in DONE:
                        records[unit] = record
                        pending.discard(unit)
                        if record["status"] != OK:
                            return records
                if pending:
                    if time.monotonic() > deadline:
                        raise TimeoutError("waited %ds for %s" % (timeout, ", ".join(sorted(pending))))
                    wake.pause(poll, limit=deadline - time.monotonic())
        return records

    def wake_on(self, units):
        """A WakeUp (context manager) that a final status of any of ``units`` wakes."""
        return WakeUp(os.path.join(self.path, WAKE_DIR), units)

    # --- units on the critical path start first ------------------------------------------

    def mark_starting(self, unit):
        """``unit`` is about to start: units with slack (with history; without, the units after it
        in the run order) hold back their own start until it has planned (clear_starting), so its
        terraform starts on a machine not busy with theirs."""
        folder = os.path.join(self.path, STARTING_DIR)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.close(os.open(os.path.join(folder, unit), os.O_WRONLY | os.O_CREAT, 0o600))

    def clear_starting(self, unit):
        """``unit`` has planned (or stopped): wake the units holding back for it."""
        try:
            os.unlink(os.path.join(self.path, STARTING_DIR, unit))
        except OSError:
            return
        _wake_waiters(os.path.join(self.path, WAKE_DIR, unit))

    def starting(self):
        try:
            return sorted(os.listdir(os.path.join(self.path, STARTING_DIR)))
        except OSError:
            return []

    def hold_back(self, critical, limit, at_once=1):
        """Wait while ``at_once`` or more units of ``critical`` are starting, ``limit`` seconds at
        most; returns the seconds waited. Woken by clear_starting through the same FIFOs as a final
        status."""
        began = time.monotonic()
        deadline = began + limit

        def must_wait():
            return time.monotonic() < deadline and len(set(self.starting()).intersection(critical)) >= at_once

        if not must_wait():  # the usual case: no FIFO links for every unit ahead
            return 0.0
        with self.wake_on(critical) as wake:
            while must_wait():
                wake.pause(0.05, limit=deadline - time.monotonic())
        return time.monotonic() - began

    def _write(self, name, data):
        write_private(os.path.join(self.path, name), json.dumps(data, sort_keys=True, default=str))

    def _read(self, name):
        try:
            with open(os.path.join(self.path, name)) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None


WAKE_DIR = "wake"
STARTING_DIR = "starting"
# With the run order's history a unit that can start late without delaying the run (its slack)
# lets the units on the critical path start first: several terraform processes (and their
# providers) starting at once slow each other down (measured in docs/PERFORMANCE.md). Its own time
# may run a quarter over the last one's (contention): half of the slack left after that, at most,
# and never more than a few provider start-ups: past those a critical unit's plan waits on the
# cloud, not the machine, and a unit whose last time overstates this run's (a no-op now) would
# otherwise hold the others back for its whole refresh.
HOLD_BACK_MARGIN = 0.25
HOLD_BACK_SHARE = 0.5
HOLD_BACK_MIN = 0.1
HOLD_BACK_MAX = 5.0
# Without history nothing tells the critical units from the others, so units made ready together
# start their terraform in run order, as many at once as the controller has cores: the start of a
# run (init, plan) is CPU, and five started together on two cores each took 0.28 s to plan instead
# of 0.08 s alone (docs/PERFORMANCE.md). A unit holds back for those ahead of it this long at most.
START_IN_ORDER_MAX = 1.0
WAKE_BACKUP_POLL = 0.5  # with a FIFO to be woken through, a look now and then covers a lost write


class WakeUp:
    """This waiter's FIFO, linked under ``<wake_dir>/<unit>/`` for each unit it waits for.

    ``wait(seconds)`` returns when a finishing unit writes to it, or after ``seconds``. Where no
    FIFO can be made (no os.mkfifo, a file system without them), ``polling`` is True and
    ``wait`` just sleeps.
    """

    def __init__(self, wake_dir, units):
        self.wake_dir, self.units = wake_dir, list(units)
        self.fifo, self.links, self.read_fd, self.keep_fd = None, [], None, None

    @property
    def polling(self):
        return self.read_fd is None

    def __enter__(self):
        try:
            os.makedirs(self.wake_dir, mode=0o700, exist_ok=True)
            token = "%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
            self.fifo = os.path.join(self.wake_dir, token + ".fifo")
            os.mkfifo(self.fifo, 0o600)
            self.read_fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
            # our own writer end: with none, a FIFO whose last writer closed reads as EOF and
            # select() would return at once, forever
            self.keep_fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            for unit in self.units:
                folder = os.path.join(self.wake_dir, unit)
                os.makedirs(folder, mode=0o700, exist_ok=True)
                link = os.path.join(folder, token)
                os.link(self.fifo, link)  # a hard link: the finisher opens the FIFO itself, no symlink
                self.links.append(link)
        except (AttributeError, OSError):
            self.close()
        return self

    def pause(self, poll, limit=None):
        """Until a watched unit finishes: woken at once through the FIFO (looking again after
        WAKE_BACKUP_POLL s at most), or ``poll`` s without one; never longer than ``limit`` s."""
        seconds = poll if self.polling else WAKE_BACKUP_POLL
        if limit is not None:
            seconds = min(seconds, max(limit, 0.001))
        self.wait(seconds)

    def wait(self, seconds):
        if self.read_fd is None:
            time.sleep(seconds)
            return
        readable = select.select([self.read_fd], [], [], seconds)[0]
        if readable:
            try:
                os.read(self.read_fd, 4096)  # drain: the next wait blocks again
            except OSError:
                pass

    def close(self):
        for fd in (self.read_fd, self.keep_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        for path in self.links + ([self.fifo] if self.fifo else []):
            try:
                os.unlink(path)
            except OSError:
                pass
        self.fifo, self.links, self.read_fd, self.keep_fd = None, [], None, None

    def __exit__(self, *exc):
        self.close()
        return False


def _wake_waiters(folder):
    """One byte to every FIFO waiting on this unit; a waiter that is gone (no reader) is skipped."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        try:
            fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:  # ENXIO: its reader closed; ENOENT: it just left
            continue
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, b"!")
        except OSError:  # EAGAIN: a pipe full of wake-ups wakes it anyway
            pass
        finally:
            os.close(fd)


def hold_back_limits(slack, weights):
    """unit -> seconds it may hold back its start while critical units start; a unit not listed
    never holds back (``slack`` and ``weights``: seconds per unit, from the run order's history)."""
    limits = {}
    for unit, seconds in slack.items():
        limit = min((seconds - HOLD_BACK_MARGIN * float(weights.get(unit) or 0)) * HOLD_BACK_SHARE, HOLD_BACK_MAX)
        if limit >= HOLD_BACK_MIN:
            limits[unit] = round(limit, 3)
    return limits


def is_number(value):
    """A number read from a status file (seconds, a time stamp): int or float, never a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def waits_for(manifest, cfg, mode):
    """Units of this run the unit ``cfg`` waits for: its dependencies, or on destroy its dependents."""
    in_run = set(manifest.get("units", []))
    if mode == "destroy":
        return [u for u in manifest.get("dependents", {}).get(cfg["name"], []) if u in in_run]
    return [u for u in cfg["dependencies"] if u in in_run]


def hold_back_limit(manifest, unit):
    """Seconds ``unit`` may hold back its start for critical units (0: it never does)."""
    return float((manifest.get("hold_back") or {}).get(unit) or 0.0)


def start_in_order(manifest):
    """How many units ahead of a unit in the run order may be starting (init, plan) before it holds
    back for them: the controller's cores in a run without history, else 0 (off)."""
    return int(manifest.get("start_in_order") or 0)


def critical_units(manifest):
    """Units the others hold back for with history (none when nobody has slack)."""
    limits = manifest.get("hold_back") or {}
    return [unit for unit in manifest.get("units", []) if unit not in limits] if limits else []


def held_back_for(manifest):
    """Units that mark their start (mark_starting) for others to hold back: the critical units
    with history, every unit of the run without (those later in the run order hold back)."""
    return critical_units(manifest) or (list(manifest.get("units", [])) if start_in_order(manifest) else [])


def marked_at_start(manifest, forks):
    """Units marked as starting when the run is created: those others hold back for that wait for
    no unit and get a fork at the units play's first pass (the first ``forks`` of the run order).
    A unit marking itself when its task begins could be later than a unit dispatched just after
    it (worker processes race), which then went on as if nobody were starting."""
    if not isinstance(forks, int) or forks <= 0:
        return []  # who gets a fork first is unknown: units mark themselves when they begin
    first = set(manifest["units"][:forks])
    return [unit for unit in held_back_for(manifest)
            if unit in first and not waits_for(manifest, manifest["resolved"][unit], manifest["mode"])]


def run_dir_name(env_name, mode, stamp, token):
    return "%s-%s-%s-%s" % (env_name, mode, stamp, token)


def previous_durations(run_root, env_name, mode, limit=5):
    """unit -> seconds terraform took in recent earlier runs of this environment and mode:
    weights for the run order.

    Per unit, the newest of the last ``limit`` runs where it changed something (a no-op deploy
    only planned: its time says nothing about how long the unit takes when it has work, and it
    would hide a slow unit from the next deploy that has changes), else its newest run that
    finished ok. Units that did not finish ok are left out. An environment's first run takes them
    from the runs of the same mode in other environments of the project: the same units, run
    elsewhere (dev's times ordering prod's first deploy), are a better guess than none.
    """
    try:
        names = os.listdir(run_root)
    except OSError:
        return {}
    # run_dir_name(env, mode, stamp, token); anchored at the end, so env "a-deploy" stays whole
    pattern = re.compile(r"^(?P<env>.+)-%s-(?P<stamp>\d{8}T\d{6})-[0-9a-f]+$" % re.escape(mode))
    runs = []
    for name in names:
        match = pattern.match(name)
        if match and os.path.isdir(os.path.join(run_root, name)):
            runs.append((match.group("env") == env_name, match.group("stamp"), name))
    runs.sort(reverse=True)  # newest first
    for own in (True, False):
        changed, finished = {}, {}
        for _own, _stamp, name in [run for run in runs if run[0] == own][:limit]:
            try:
                records = RunDir(os.path.join(run_root, name)).statuses()
            except (OSError, ValueError):
                continue
            for unit, record in records.items():
                duration = record.get("duration")
                if record.get("status") != OK or not is_number(duration):
                    continue
                finished.setdefault(unit, float(duration))
                if record.get("changed"):
                    changed.setdefault(unit, float(duration))
        if finished:
            return dict(finished, **changed)
    return {}


def with_inventory(message, task_vars):
    """``message`` with the recovery commands' ``-i <inventory>`` made the run's real inventory sources."""
    if not message or "-i <inventory>" not in message:
        return message
    sources = task_vars.get("ansible_inventory_sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        return message
    return message.replace("-i <inventory>", " ".join("-i %s" % source for source in sources))


def _try_lock(handle):
    """An exclusive flock on ``handle`` if nobody holds one: True when taken."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False
    return True


class ConcurrencySlot:
    """At most ``limit`` holders of ``group`` at once across processes (fcntl locks on slot files).

    The locks die with their process, so a killed run never leaves a slot taken.
    """

    def __init__(self, directory, group, limit, poll=0.2, give_up=None):
        self.directory = directory
        self.group = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(group))
        self.limit = int(limit)
        self.poll = poll
        self.give_up = give_up  # checked between tries: when true, stop waiting (acquired stays False)
        self.handle = None

    @property
    def acquired(self):
        return self.handle is not None

    def __enter__(self):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        while True:
            for index in range(self.limit):
                handle = open(os.path.join(self.directory, "slot-%s-%d.lock" % (self.group, index)), "a")
                if not _try_lock(handle):
                    handle.close()
                    continue
                self.handle = handle
                return self
            if self.give_up is not None and self.give_up():
                return self
            time.sleep(self.poll)

    def __exit__(self, *exc):
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
        return False


class PrepareClaims:
    """Who prepares (syncs and inits) a unit's work dir before it runs: its own task, or a
    running unit ahead of it.

    A unit's task starts only when a fork is free; with fewer forks than units (one fork for a
    chain, the graph's width for the rest) a unit whose task starts after its dependencies are
    done would init on the critical path. So a running unit also prepares the next unit of the
    run order whose task has not started: init needs no inputs. A unit's own task
    claims it as it starts; from then on no helper starts on it, and the claim waits for one
    already at work (a lock file per unit; locks die with their process).
    """

    def __init__(self, run_path):
        self.directory = os.path.join(run_path, "prepare")

    def claim(self, unit):
        """The unit's own task starts: returns what a helper recorded, once no helper is at work."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        os.close(os.open(self._path(unit, "claimed"), os.O_WRONLY | os.O_CREAT, 0o600))
        with open(self._path(unit, "lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks while a helper prepares this unit
            fcntl.flock(handle, fcntl.LOCK_UN)
        return self._read_record(unit)

    def started(self, unit):
        """Whether the unit's own task has started (it has a fork)."""
        return os.path.exists(self._path(unit, "claimed"))

    def candidates(self, order, helper):
        """Units of ``order`` nobody has claimed or prepared yet, in order (``helper`` excluded)."""
        return [unit for unit in order if unit != helper
                and not self.started(unit)
                and not os.path.exists(self._path(unit, "ahead"))]

    def prepare_ahead(self, unit, helper, prepare):
        """Run ``prepare()`` for ``unit`` unless its task started or another helper took it.

        Returns True when this helper prepared it (whatever ``prepare`` returned: a unit's own run
        repeats every step, so a failure here only costs the time).
        """
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        with open(self._path(unit, "lock"), "a") as handle:
            if not _try_lock(handle):
                return False  # another helper, or the unit's own claim, holds it
            try:
                if self.started(unit) or os.path.exists(self._path(unit, "ahead")):
                    return False
                record = {"by": helper, "started": time.time()}
                self._write_record(unit, record)
                record.update(init=prepare(), finished=time.time())
                self._write_record(unit, record)
                return True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _path(self, unit, kind):
        return os.path.join(self.directory, "%s.%s" % (unit, kind))

    def _write_record(self, unit, record):
        write_private(self._path(unit, "ahead"), json.dumps(record, default=str))

    def _read_record(self, unit):
        try:
            with open(self._path(unit, "ahead")) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None
