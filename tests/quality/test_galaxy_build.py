"""Gate: the collection builds into a clean tarball, installs offline, and every plugin documents itself.

The build runs in a temporary copy of the checkout into which local junk is planted first (a
venv, caches, terraform state and provider directories, compiled Python, old tarballs), so the
test proves galaxy.yml's build_ignore keeps that junk out whatever a developer has lying around.
The installed copy is then used with the checkout out of reach (cwd outside it, no ansible.cfg,
ANSIBLE_COLLECTIONS_PATH at the install directory only), so ansible-doc reads the shipped files.
"""
from __future__ import annotations

import json
import re
import shutil
import tarfile
from pathlib import Path

import pytest

from gate_tools import (FQCN_PREFIX, REPO, VENV_BIN, describe, documented_plugins, plugin_files,
                        run_tool, tool_env)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("galaxy_build")]

# Not even copied into the build tree (large or machine-specific); sentinels stand in for them.
NOT_COPIED = {".git", ".venv", ".groundwork", ".pytest_cache", ".terraform"}
# Junk a developer's checkout may hold; each must stay out of the tarball.
SENTINELS = (
    ".venv/bin/python",
    ".venv-py38/bin/python",
    ".groundwork/cache/sentinel.json",
    ".pytest_cache/v/cache/nodeids",
    "plugins/modules/__pycache__/sentinel.cpython-311.pyc",
    "plugins/module_utils/__pycache__/sentinel.cpython-311.pyc",
    "terraform-modules/sentinel/.terraform/providers/sentinel",
    "terraform-modules/sentinel/.terraform.lock.hcl",
    "terraform-modules/sentinel/.terraform.tfstate.lock.info",
    "terraform-modules/sentinel/terraform.tfstate",
    "terraform-modules/sentinel/terraform.tfstate.backup",
    "terraform-modules/sentinel/sentinel.tfplan",
    "tests/output/sentinel.txt",
    "bench/output/sentinel.txt",
    "groundwork-terraform-0.0.1.tar.gz",
)
FORBIDDEN_PARTS = {".venv", ".groundwork", "collections", "__pycache__", ".pytest_cache", ".mypy_cache",
                   ".ruff_cache", ".cache", ".terraform", ".git", ".tox"}
FORBIDDEN_NAMES = {".terraform.lock.hcl", ".terraform.tfstate.lock.info"}
FORBIDDEN_SUFFIXES = (".pyc", ".pyo", ".tfstate", ".tfstate.backup", ".tfplan", ".tar.gz")
FORBIDDEN_PREFIXES = ("tests/output/", "bench/output/")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# First line of ansible-doc's text output: "> MODULE name (path)" or "> ROLE: name (path)".
DOC_HEADER = re.compile(r"^> (?P<type>[A-Z]+):? \*?(?P<name>[^\s*]+)\*? \((?P<path>[^)]+)\)", re.M)


def forbidden_reason(member):
    parts = member.split("/")
    if FORBIDDEN_PARTS.intersection(parts) or any(p.startswith(".venv-") for p in parts):
        return "local directory"
    if parts[-1] in FORBIDDEN_NAMES or member.endswith(FORBIDDEN_SUFFIXES):
        return "local or generated file"
    if member.startswith(FORBIDDEN_PREFIXES):
        return "test output"
    return None


# Output directories (benchmark work trees, logs, plugin caches) can be large: sentinels stand in.
NOT_COPIED_PATHS = {"tests/output", "bench/output"}


def _ignore_for_copy(directory, names):
    ignored = {n for n in names if n in NOT_COPIED}
    relative = Path(directory).relative_to(REPO)
    ignored.update(n for n in names if (relative / n).as_posix() in NOT_COPIED_PATHS)
    if relative == Path("."):
        ignored.update(n for n in names if n.startswith(".venv-"))
    return ignored


def roles_with_argument_specs(root=REPO):
    roles = root / "roles"
    if not roles.is_dir():
        return []
    return sorted(("role", FQCN_PREFIX + d.name) for d in roles.iterdir()
                  if (d / "meta" / "argument_specs.yml").is_file() or (d / "meta" / "argument_specs.yaml").is_file())


def module_names(root=REPO):
    return [FQCN_PREFIX + p.stem for p in plugin_files(root / "plugins" / "modules") if p.suffix == ".py"]


def split_doc_sections(stdout):
    """{name: (path, body)} from ansible-doc text output holding one or more plugins."""
    stdout = ANSI.sub("", stdout)
    headers = list(DOC_HEADER.finditer(stdout))
    sections = {}
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(stdout)
        sections[header.group("name")] = (header.group("path"), stdout[header.end():end])
    return sections


def check_rendered(fqcn, sections, proc, seconds):
    """The path fqcn was documented from; fails unless its documentation rendered with content."""
    stderr = ANSI.sub("", proc.stderr)
    # ansible-doc exits 0 for a plugin it cannot find, warning on stderr: treat any warning as a failure.
    assert proc.returncode == 0 and "[WARNING]" not in stderr and "[ERROR]" not in stderr, describe(proc, seconds)
    assert fqcn in sections, "ansible-doc printed no documentation for %s:\n%s" % (fqcn, describe(proc, seconds))
    path, body = sections[fqcn]
    assert len(body.split()) >= 5, "ansible-doc rendered no description for %s:\n%s" % (fqcn, body)
    return path


_BATCHES = {}


def render_doc(doc_type, fqcn, cwd, env, batch=()):
    """Run ansible-doc for fqcn; return the path it documents from, or fail with everything it printed.

    With batch (all names of this doc type), one ansible-doc call renders them all (about a
    second each saved); if that call complains at all, fqcn is rendered alone for an exact error.
    """
    if batch:
        key = (doc_type, str(cwd), tuple(sorted(batch)))
        if key not in _BATCHES:
            proc, seconds = run_tool([VENV_BIN / "ansible-doc", "-t", doc_type] + sorted(batch),
                                     cwd=cwd, env=env, timeout=300)
            _BATCHES[key] = (proc, seconds, split_doc_sections(proc.stdout))
        proc, seconds, sections = _BATCHES[key]
        problems = [line for line in ANSI.sub("", proc.stderr).splitlines() if "[WARNING]" in line or "[ERROR]" in line]
        # Complaints that each name another plugin leave this one's rendering trustworthy.
        unrelated = all(fqcn not in line and any(name in line for name in batch) for line in problems)
        if fqcn in sections and unrelated:
            path, body = sections[fqcn]
            assert len(body.split()) >= 5, "ansible-doc rendered no description for %s:\n%s" % (fqcn, body)
            return path
    proc, seconds = run_tool([VENV_BIN / "ansible-doc", "-t", doc_type, fqcn], cwd=cwd, env=env, timeout=120)
    return check_rendered(fqcn, split_doc_sections(proc.stdout), proc, seconds)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tree = tmp_path_factory.mktemp("build") / "src"
    shutil.copytree(REPO, tree, symlinks=True, ignore=_ignore_for_copy)
    for rel in SENTINELS:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text("planted by test_galaxy_build.py\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("dist")
    # cwd outside the tree, no ANSIBLE_CONFIG: the build must depend on galaxy.yml alone.
    proc, seconds = run_tool([VENV_BIN / "ansible-galaxy", "collection", "build", tree, "--output-path", out],
                             cwd=out, env=tool_env())
    assert proc.returncode == 0, describe(proc, seconds)
    tarballs = sorted(out.glob("groundwork-terraform-*.tar.gz"))
    assert len(tarballs) == 1, describe(proc, seconds)
    with tarfile.open(str(tarballs[0])) as archive:
        members = [m.name for m in archive.getmembers()]
    return {"tarball": tarballs[0], "members": members, "seconds": seconds, "tree": tree}


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    base = tmp_path_factory.mktemp("installed")
    collections = base / "collections"
    # Only the new directory as collections path: a groundwork.terraform installed in
    # ~/.ansible/collections would otherwise make the install a no-op ("already installed").
    env = tool_env(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
                   ANSIBLE_CONFIG=base / "no-ansible.cfg")
    proc, seconds = run_tool([VENV_BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps",
                              "--force", "-p", collections, built["tarball"]], cwd=base, env=env)
    assert proc.returncode == 0, describe(proc, seconds)
    root = collections / "ansible_collections" / "groundwork" / "terraform"
    assert (root / "MANIFEST.json").is_file(), describe(proc, seconds)
    return {"root": root, "cwd": base, "env": env}


def test_every_planted_sentinel_counts_as_junk():
    # Otherwise a sentinel that slipped into the tarball would go unnoticed by the check below.
    unrecognised = [s for s in SENTINELS if not forbidden_reason(s)]
    assert not unrecognised, "forbidden_reason() does not flag %s" % unrecognised


def test_tarball_holds_no_local_junk(built):
    junk = sorted("%s (%s)" % (m, forbidden_reason(m)) for m in built["members"] if forbidden_reason(m))
    assert not junk, "the collection tarball ships local files; extend build_ignore in galaxy.yml:\n  " + \
        "\n  ".join(junk)


def test_tarball_holds_the_collection(built):
    members = set(built["members"])
    for required in ("MANIFEST.json", "FILES.json", "meta/runtime.yml", "README.md"):
        assert required in members, "%s missing from %s" % (required, built["tarball"].name)
    tree = built["tree"]  # the copy that was built, so files others add meanwhile don't count
    shipped_sources = sorted(
        str(p.relative_to(tree)) for top in ("plugins", "roles", "playbooks", "meta") for p in (tree / top).rglob("*")
        if p.is_file() and not forbidden_reason(str(p.relative_to(tree))))
    missing = [p for p in shipped_sources if p not in members]
    assert not missing, "collection files missing from the tarball (build_ignore too broad?): %s" % missing


MODULES = module_names()
CHECKOUT_DOCS = documented_plugins() + roles_with_argument_specs()


@pytest.mark.parametrize("fqcn", MODULES)
def test_installed_module_docs_render(installed, fqcn):
    path = render_doc("module", fqcn, installed["cwd"], installed["env"], batch=MODULES)
    assert Path(path).resolve().is_relative_to(installed["root"].resolve()), (
        "ansible-doc read %s from %s, not from the installed collection %s" % (fqcn, path, installed["root"]))


@pytest.mark.parametrize("doc_type", [t for t in ("filter", "test") if plugin_files(REPO / "plugins" / t)])
def test_every_jinja_plugin_is_documented(doc_type):
    # One filter/test file can define several plugins; ansible-test sanity does not notice one
    # that has no documentation, but ansible-doc's listing does.
    env = tool_env(ANSIBLE_CONFIG=REPO / "ansible.cfg")
    proc, seconds = run_tool([VENV_BIN / "ansible-doc", "-t", doc_type, "-l", FQCN_PREFIX.rstrip("."), "--json"],
                             cwd=REPO, env=env, timeout=120)
    assert proc.returncode == 0, describe(proc, seconds)
    listed = json.loads(proc.stdout)
    assert listed, "ansible-doc lists no %s plugins although plugins/%s has files" % (doc_type, doc_type)
    undocumented = sorted(name for name, summary in listed.items() if summary == "UNDOCUMENTED")
    assert not undocumented, "%s plugins without documentation (add plugins/%s/<name>.yml): %s" % (
        doc_type, doc_type, undocumented)


@pytest.mark.parametrize("doc_type,fqcn", CHECKOUT_DOCS)
def test_checkout_plugin_docs_render(doc_type, fqcn):
    # As a developer runs it: from the checkout, which ansible.cfg makes the collection.
    env = tool_env(ANSIBLE_CONFIG=REPO / "ansible.cfg")
    batch = [name for kind, name in CHECKOUT_DOCS if kind == doc_type]
    path = render_doc(doc_type, fqcn, REPO, env, batch=batch)
    assert Path(path).resolve().is_relative_to(REPO.resolve()), "%s documented from %s, not the checkout" % (fqcn, path)
