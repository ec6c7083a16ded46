"""Helpers shared by the quality gates: the venv's tools, a clean environment, a collection copy.

The gates run the real tools (ansible-lint, ansible-test, ansible-galaxy, ansible-doc) from the
pinned .venv as subprocesses, so a failure prints exactly what a developer would see.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
COLLECTION_NAMESPACE = "groundwork"
COLLECTION_NAME = "terraform"
FQCN_PREFIX = "%s.%s." % (COLLECTION_NAMESPACE, COLLECTION_NAME)

# What `ansible-galaxy collection build` ships and ansible-test needs to see. Everything else
# in the checkout (tests, tools, terraform-modules, caches, the collections/ symlink loop) stays out.
COLLECTION_CONTENT = (
    "galaxy.yml", "meta", "plugins", "roles", "playbooks", "docs", "changelogs",
    "README.md", "CHANGELOG.md", "LICENSE", "COPYING",
)

# Plugin directories whose plugins ansible-doc documents, mapped to ansible-doc's -t type.
# Not listed: doc_fragments, module_utils, plugin_utils (no plugins of their own) and
# action (an action plugin is documented by the module of the same name).
DOC_TYPES = {
    "modules": "module",
    "lookup": "lookup",
    "inventory": "inventory",
    "filter": "filter",
    "test": "test",
    "callback": "callback",
    "connection": "connection",
    "become": "become",
    "cache": "cache",
    "vars": "vars",
    "strategy": "strategy",
    "shell": "shell",
    "cliconf": "cliconf",
    "httpapi": "httpapi",
    "netconf": "netconf",
}

# Ansible variables that would point a tool at the checkout or at someone's own setup.
_SCRUBBED_ENV = ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS",
                 "ANSIBLE_ROLES_PATH", "PYTHONPATH")


def tool_env(**overrides):
    """A copy of os.environ with the venv first on PATH, no colour and no inherited Ansible paths."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    path = env.get("PATH", "")
    if not path.startswith(str(VENV_BIN) + os.pathsep):
        env["PATH"] = str(VENV_BIN) + os.pathsep + path
    env.update(NO_COLOR="1", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PY_COLORS="0",
               ANSIBLE_DEPRECATION_WARNINGS="1")
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def run_tool(args, cwd, env=None, timeout=600):
    """Run one tool to completion; return (CompletedProcess, seconds). Output is captured as text."""
    started = time.monotonic()
    proc = subprocess.run([str(a) for a in args], cwd=str(cwd), env=env or tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, check=False)
    return proc, time.monotonic() - started


def describe(proc, seconds):
    """Everything needed to act on a failed tool run, for an assertion message."""
    return "%s\n(rc=%s after %.1fs)\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        " ".join(proc.args), proc.returncode, seconds, proc.stdout[-20000:], proc.stderr[-10000:])


def copy_collection(dest):
    """Copy the collection's shipped content to dest (a directory that must not exist yet)."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".terraform", ".terraform.lock.hcl",
                                    "*.tfstate", "*.tfstate.backup", ".pytest_cache")
    for name in COLLECTION_CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, dest / name)
    return dest


def plugin_files(directory):
    """Plugin source files directly in directory (sorted), without packaging and private files."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix in (".py", ".yml", ".yaml")
                  and p.name != "__init__.py" and not p.name.startswith("_"))


def documented_plugins(root=REPO):
    """[(doc_type, fqcn)] for every plugin the collection's plugins/ directories hold.

    A file normally is one plugin named after it. Filter and test files are different: one
    Python file may define several Jinja2 plugins, each documented by its own <name>.yml (or a
    DOCUMENTATION string in a .py of that name), so there the documentation files name them.
    """
    found = set()
    for directory, doc_type in DOC_TYPES.items():
        for path in plugin_files(root / "plugins" / directory):
            if doc_type in ("filter", "test"):
                if path.suffix == ".py" and "DOCUMENTATION" not in path.read_text(encoding="utf-8"):
                    continue
            elif path.suffix != ".py":
                continue
            found.add((doc_type, FQCN_PREFIX + path.stem))
    return sorted(found)
