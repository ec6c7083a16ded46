# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A unit's work dir: the module source synced in, generated files beside it, private files.

The source tree is copied into the work dir (only changed files; files gone from the source
are removed again, as recorded in a manifest), so generated files never touch the source and
``.terraform/`` survives between runs. Like Terragrunt, ``source`` may be ``dir//subdir``:
``dir`` is copied whole (so ``../shared`` module calls inside it keep working) and terraform
runs in ``subdir``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import threading

from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError

GENERATED_PREFIX = "_groundwork_"
META_DIR = ".groundwork"
MANIFEST = "manifest.json"
_SKIP_DIRS = {".terraform", ".git", ".groundwork", "__pycache__", ".terragrunt-cache"}
_SKIP_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan")
# Never copy these from a source: they belong to the unit's own run, not to the module.
_SKIP_NAMES = {"terraform.tfstate", "errored.tfstate", ".terraform.tfstate.lock.info"}


def split_source(source):
    """'dir//sub' -> ('dir', 'sub'); 'dir' -> ('dir', '')."""
    if "//" in source and "://" not in source:
        root, _sep, sub = source.partition("//")
        return root, sub.strip("/")
    return source, ""


def _source_files(root):
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name in _SKIP_NAMES or name.endswith(_SKIP_SUFFIXES) or name.startswith(GENERATED_PREFIX):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.stat(path)
            files[rel] = (st.st_size, st.st_mtime_ns)
    return files


def source_signature_of(source_root):
    """The signature WorkDir.sync() takes of a source tree (sizes and mtimes of its files)."""
    return fingerprint(_source_files(os.path.abspath(source_root)))


class WorkDir:
    """The per-unit directory terraform runs in."""

    def __init__(self, path, source):
        self.root = os.path.abspath(path)
        source_root, self.subdir = split_source(source)
        self.source_root = os.path.abspath(source_root)
        self.meta = os.path.join(self.root, META_DIR)
        self.source_signature = None

    @property
    def run_dir(self):
        return os.path.join(self.root, self.subdir) if self.subdir else self.root

    def meta_path(self, name):
        return os.path.join(self.meta, name)

    def check_source(self):
        if not os.path.isdir(self.source_root):
            raise InputError("module source %s does not exist or is not a directory; check the unit's "
                             "source (unit_module in the inventory)" % self.source_root)
        source_run_dir = os.path.join(self.source_root, self.subdir)
        if not os.path.isdir(source_run_dir):
            raise InputError("module source %s has no directory %r (the part after //)"
                             % (self.source_root, self.subdir))
        if not any(n.endswith((".tf", ".tf.json")) for n in os.listdir(source_run_dir)):
            raise InputError("module source %s holds no .tf files; point source at a terraform module"
                             % source_run_dir)
        real_root = os.path.realpath(self.root)
        real_source = os.path.realpath(self.source_root)
        if real_root == real_source or real_root.startswith(real_source + os.sep):
            raise InputError("work_dir %s lies inside the module source %s; generated files must never "
                             "reach a source: choose a work_dir outside it" % (self.root, self.source_root))

    def sync(self):
        """Mirror the source into the work dir; returns the number of files copied or removed."""
        self.check_source()
        os.makedirs(self.meta, mode=0o700, exist_ok=True)
        os.chmod(self.root, 0o700)
        manifest_path = self.meta_path(MANIFEST)
        try:
            with open(manifest_path) as handle:
                previous = {k: tuple(v) for k, v in json.load(handle).get("files", {}).items()}
        except (OSError, ValueError):
            previous = {}
        current = _source_files(self.source_root)
        self.source_signature = fingerprint(current)  # what source_signature_of() returns
        touched = 0
        for rel, signature in current.items():
            target = os.path.join(self.root, rel)
            if previous.get(rel) == signature and os.path.exists(target):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(self.source_root, rel), target)
            touched += 1
        for rel in set(previous) - set(current):
            target = os.path.join(self.root, rel)
            if os.path.lexists(target):
                os.remove(target)
                touched += 1
        _write_private(manifest_path, json.dumps({"source": self.source_root, "files": current}))
        return touched

    def write_generated(self, name, content):
        """Write a generated file into the run dir (only when its content changed)."""
        path = os.path.join(self.run_dir, GENERATED_PREFIX + name)
        text = content if isinstance(content, str) else json.dumps(content, indent=2, sort_keys=True) + "\n"
        try:
            with open(path) as handle:
                if handle.read() == text:
                    return path
        except OSError:
            pass
        _write_private(path, text)
        return path

    def remove_generated(self, name):
        path = os.path.join(self.run_dir, GENERATED_PREFIX + name)
        if os.path.exists(path):
            os.remove(path)

    def generated_names(self):
        return sorted(n[len(GENERATED_PREFIX):] for n in os.listdir(self.run_dir)
                      if n.startswith(GENERATED_PREFIX))

    def read_meta(self, name, default=None):
        try:
            with open(self.meta_path(name)) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return default

    def write_meta(self, name, data):
        os.makedirs(self.meta, mode=0o700, exist_ok=True)
        _write_private(self.meta_path(name), json.dumps(data, indent=2, sort_keys=True))


def write_private(path, text):
    _write_private(path, text)


def _write_private(path, text):
    """Write a file readable by its owner only, atomically (never half-written)."""
    # per process and thread: a unit's worker also prepares other units' work dirs in a thread
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
