#!/usr/bin/env python3
"""Generate the Markdown docs of terraform-modules/ from the code, or check they are in sync.

Per module (every directory directly under the modules root holding *.tf files) it rewrites
the part of README.md between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->`` with
requirements, resources, inputs and outputs read with python-hcl2. In the root README.md it
fills three generated sections: the module index, the list of plan-only examples (from each
example's ``localtest.json``) and the list of checkov suppressions (``#checkov:skip=`` comments).

    tools/tfdocs.py --check [ROOT]   exit 1 and name every out-of-sync README
    tools/tfdocs.py --write [ROOT]   rewrite them
    tools/tfdocs.py --write --module s3-bucket   only that module's README (and the root one)

Importable: ``module_docs(path)``, ``root_docs(root)``, ``out_of_sync(root)``, ``load_tf(dir)``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from pathlib import Path

import hcl2
from hcl2.utils import SerializationContext

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO / "terraform-modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
ROOT_SECTIONS = ("MODULE_INDEX", "PLAN_ONLY", "CHECKOV_SKIPS")
LOCALTEST = "localtest.json"
SKIP_RE = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9_]+)\s*:?\s*(.*)$")
BLOCK_RE = re.compile(r'^\s*(resource|data|module)\s+"([^"]+)"(?:\s+"([^"]+)")?')
_OPTIONS = hcl2.SerializationOptions(
    preserve_heredocs=False, explicit_blocks=False, wrap_objects=True, wrap_tuples=True,
    with_comments=False)
# python-hcl2's default SerializationContext is one object shared by every call: threads (the
# module tests read modules from a pool) would corrupt it for the whole process. See hcl.py.
_PARSE_LOCK = threading.Lock()


class DocsError(Exception):
    """A module that cannot be documented (unparsable HCL, missing README markers...)."""


# ---------------------------------------------------------------- reading HCL

def load_tf(directory: Path) -> dict:
    """Merge every *.tf file of one directory into {block_type: [blocks...]}."""
    merged: dict = {}
    for path in sorted(Path(directory).glob("*.tf")):
        try:
            text = path.read_text(encoding="utf-8")
            with _PARSE_LOCK:
                parsed = hcl2.parses(text).serialize(options=_OPTIONS, context=SerializationContext())
        except Exception as exc:  # python-hcl2 raises lark errors of many kinds
            raise DocsError("%s: cannot parse HCL: %s" % (path, str(exc).splitlines()[0])) from exc
        for key, value in parsed.items():
            if key.startswith("__"):
                continue
            merged.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    return merged


def unquote(text) -> str:
    """HCL string literal as python-hcl2 returns it (quoted, escaped) -> plain text."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            text = json.loads(text)
        except ValueError:
            text = text[1:-1]
        text = text.replace("$${", "${").replace("%%{", "%{")
    return text.strip()


def expression(value) -> str:
    """Value as python-hcl2 returns it -> compact HCL source text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value
    if isinstance(value, list):
        return "[%s]" % ", ".join(expression(item) for item in value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s = %s" % (key, expression(item)) for key, item in value.items())
    return str(value)


def named(blocks: list) -> list:
    """[{'"name"': body}, ...] -> [(name, body), ...]."""
    out = []
    for block in blocks:
        for name, body in block.items():
            out.append((unquote(name), body or {}))
    return out


def variables(tf: dict) -> list:
    rows = []
    for name, body in named(tf.get("variable", [])):
        rows.append({
            "name": name,
            "type": expression(body["type"]) if "type" in body else None,
            "description": unquote(body.get("description")) if "description" in body else None,
            "default": expression(body["default"]) if "default" in body else None,
            "required": "default" not in body,
            "sensitive": body.get("sensitive") is True,
            "validations": len(body.get("validation", []) or []),
        })
    return sorted(rows, key=lambda row: (not row["required"], row["name"]))


def outputs(tf: dict) -> list:
    rows = []
    for name, body in named(tf.get("output", [])):
        rows.append({
            "name": name,
            "description": unquote(body.get("description")) if "description" in body else None,
            "sensitive": body.get("sensitive") is True,
        })
    return sorted(rows, key=lambda row: row["name"])


def resources(tf: dict) -> list:
    rows = []
    for kind, label in (("resource", "resource"), ("data", "data source")):
        for block in tf.get(kind, []):
            for rtype, instances in block.items():
                for rname in instances:
                    rows.append(("%s.%s" % (unquote(rtype), unquote(rname)), label))
    return sorted(rows)


def child_modules(tf: dict) -> list:
    return sorted((name, unquote(body.get("source"))) for name, body in named(tf.get("module", [])))


def requirements(tf: dict) -> list:
    rows = []
    for block in tf.get("terraform", []):
        if "required_version" in block:
            rows.append(("terraform", unquote(block["required_version"])))
        for providers in block.get("required_providers", []) or []:
            for name, spec in providers.items():
                version = ""
                if isinstance(spec, dict):
                    version = unquote(spec.get("version", ""))
                elif isinstance(spec, str):
                    match = re.search(r'version\s*=\s*"([^"]*)"', spec)
                    version = match.group(1) if match else ""
                rows.append((name, version))
    return rows


# ---------------------------------------------------------------- Markdown

def cell(text) -> str:
    text = "" if text is None else str(text)
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def code(text) -> str:
    return "`%s`" % cell(text) if text not in (None, "") else "n/a"


def table(header: list, rows: list) -> str:
    lines = ["| %s |" % " | ".join(header), "|%s|" % "|".join("------" for _ in header)]
    lines += ["| %s |" % " | ".join(row) for row in rows]
    return "\n".join(lines)


def module_docs(directory: Path) -> str:
    """The generated Markdown for one module (without the markers)."""
    tf = load_tf(directory)
    parts = ["## Requirements", ""]
    reqs = requirements(tf)
    parts.append(table(["Name", "Version"], [[cell(n), code(v)] for n, v in reqs]) if reqs else "No requirements.")
    mods = child_modules(tf)
    if mods:
        parts += ["", "## Modules", "", table(["Name", "Source"], [[cell(n), code(s)] for n, s in mods])]
    parts += ["", "## Resources", ""]
    res = resources(tf)
    parts.append(table(["Name", "Type"], [[code(n), k] for n, k in res]) if res else "No resources.")
    parts += ["", "## Inputs", ""]
    ins = variables(tf)
    parts.append(table(
        ["Name", "Description", "Type", "Default", "Required"],
        [[code(v["name"]), cell(v["description"]), code(v["type"]),
          "n/a" if v["required"] else code(v["default"]), "yes" if v["required"] else "no"] for v in ins])
        if ins else "No inputs.")
    parts += ["", "## Outputs", ""]
    outs = outputs(tf)
    parts.append(table(["Name", "Description", "Sensitive"],
                       [[code(o["name"]), cell(o["description"]), "yes" if o["sensitive"] else "no"] for o in outs])
                 if outs else "No outputs.")
    return "\n".join(parts)


# ---------------------------------------------------------------- module tree

def module_dirs(root: Path = DEFAULT_ROOT) -> list:
    """Every module directory: a direct child of root holding at least one *.tf file."""
    return sorted(p for p in Path(root).iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("*.tf")))


def example_dirs(module: Path) -> list:
    examples = Path(module) / "examples"
    return sorted(p for p in examples.iterdir() if p.is_dir() and any(p.glob("*.tf"))) if examples.is_dir() else []


def example_settings(example: Path) -> dict:
    """localtest.json of an example: how the local-endpoint test treats it (default: apply)."""
    path = Path(example) / LOCALTEST
    settings = {"mode": "apply", "reason": "", "provider_aliases": [], "vars": {}}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DocsError("%s: invalid JSON: %s" % (path, exc)) from exc
        unknown = set(loaded) - set(settings)
        if unknown:
            raise DocsError("%s: unknown keys %s (allowed: %s)" % (path, sorted(unknown), sorted(settings)))
        settings.update(loaded)
    if settings["mode"] not in ("apply", "plan"):
        raise DocsError("%s: mode must be 'apply' or 'plan', not %r" % (path, settings["mode"]))
    if settings["mode"] == "plan" and not str(settings["reason"]).strip():
        raise DocsError("%s: mode 'plan' needs a 'reason' saying what the local endpoint lacks" % path)
    return settings


def checkov_skips(root: Path = DEFAULT_ROOT) -> list:
    """[(check_id, module, 'file:block', reason)] for every #checkov:skip comment under root."""
    rows = []
    for module in module_dirs(root):
        for path in sorted(module.rglob("*.tf")):
            if ".terraform" in path.parts:
                continue
            block = "(file)"
            for line in path.read_text(encoding="utf-8").splitlines():
                found = BLOCK_RE.match(line)
                if found:
                    kind, first, second = found.groups()
                    block = ".".join(filter(None, ["data" if kind == "data" else ("module" if kind == "module" else None), first, second]))
                skip = SKIP_RE.search(line)
                if skip:
                    rows.append((skip.group(1), module.name, "%s: %s" % (path.relative_to(module), block), skip.group(2).strip()))
    return rows


def summary(module: Path) -> str:
    """First prose paragraph of a module README (its one-line purpose)."""
    readme = Path(module) / "README.md"
    if not readme.exists():
        return ""
    for line in readme.read_text(encoding="utf-8").split(BEGIN)[0].splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "<!--", "```", "|")):
            return line
    return ""


def root_docs(root: Path = DEFAULT_ROOT) -> dict:
    """Generated sections of the modules root README, by marker name."""
    index, plan_only = [], []
    for module in module_dirs(root):
        modes = []
        for example in example_dirs(module):
            settings = example_settings(example)
            modes.append("%s: %s" % (example.name, settings["mode"]))
            if settings["mode"] == "plan":
                plan_only.append([code(module.name), code("examples/%s" % example.name), cell(settings["reason"])])
        index.append(["[%s](%s/)" % (module.name, module.name), cell(summary(module)), cell(", ".join(modes) or "none")])
    skips = [[code(c), code(m), code(w), cell(r)] for c, m, w, r in checkov_skips(root)]
    return {
        "MODULE_INDEX": table(["Module", "Purpose", "Examples (local test mode)"], index),
        "PLAN_ONLY": table(["Module", "Example", "Why plan only"], plan_only) if plan_only
        else "Every example is applied and destroyed against the local endpoint.",
        "CHECKOV_SKIPS": table(["Check", "Module", "Where", "Justification"], skips) if skips
        else "No suppressions.",
    }


# ---------------------------------------------------------------- sync

def replace_between(text: str, begin: str, end: str, body: str, create: bool) -> str:
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        if not create:
            raise DocsError("markers %s ... %s missing" % (begin, end))
        return text.rstrip("\n") + "\n\n%s\n%s\n%s\n" % (begin, body, end)
    return text[:start + len(begin)] + "\n" + body + "\n" + text[stop:]


def rendered(root: Path = DEFAULT_ROOT, only: list | None = None) -> dict:
    """{readme_path: (current_text, wanted_text)} for every README the tool owns.

    ``only``: module names whose README to render (the root README is always rendered).
    """
    out = {}
    for module in module_dirs(root):
        if only and module.name not in only:
            continue
        readme = module / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.exists() else "# %s\n" % module.name
        out[readme] = (current if readme.exists() else None,
                       replace_between(current, BEGIN, END, module_docs(module), create=True))
    readme = Path(root) / "README.md"
    current = readme.read_text(encoding="utf-8") if readme.exists() else "# Terraform modules\n"
    wanted = current
    for name, body in root_docs(root).items():
        wanted = replace_between(wanted, "<!-- BEGIN_%s -->" % name, "<!-- END_%s -->" % name, body, create=True)
    out[readme] = (current if readme.exists() else None, wanted)
    return out


def out_of_sync(root: Path = DEFAULT_ROOT) -> list:
    """README paths whose generated sections differ from the code."""
    return [path for path, (current, wanted) in rendered(root).items() if current != wanted]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 when any README is out of sync")
    mode.add_argument("--write", action="store_true", help="rewrite the generated README sections")
    parser.add_argument("--module", action="append", dest="only", metavar="NAME",
                        help="only this module's README (repeatable; the root README is always done)")
    parser.add_argument("root", nargs="?", default=str(DEFAULT_ROOT), help="modules root (default: terraform-modules)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        docs = rendered(root, args.only)
    except DocsError as exc:
        print("tfdocs: %s" % exc, file=sys.stderr)
        return 2
    stale = [path for path, (current, wanted) in docs.items() if current != wanted]
    if args.check:
        for path in stale:
            print("out of sync: %s (run tools/tfdocs.py --write or make modules-docs)" % path, file=sys.stderr)
        if not stale:
            print("tfdocs: %d README files in sync" % len(docs))
        return 1 if stale else 0
    for path in stale:
        path.write_text(docs[path][1], encoding="utf-8")
        print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
