# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a Terraform module directory offline: variables, outputs, providers, child modules.

Built on python-hcl2 8.x, whose serializer keeps HCL source forms: a string literal comes back
with its quotes (``'"abc"'``), an expression as ``'${aws_vpc.this.id}'``, a bare keyword such
as a type as ``'string'``, and block labels quoted (``'"region"'``). Everything here normalises
that once, so callers see plain names and Python values. ``*.tf.json`` files are read with
``json`` and mapped onto the same form.

Also parses type expressions (``parse_type``, the one type parser of the collection) and
derives type-valid placeholder values for plans whose dependencies have no state yet:
``placeholder_for_type`` from a declared variable type, ``mock_outputs`` from a module's
``output`` blocks (outputs carry no declared type, so it is inferred from the expression, and
strings are shaped like the AWS values they stand for by ``mock_shapes``).
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass, field

from ansible_collections.groundwork.terraform.plugins.module_utils import mock_shapes
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError, InputError

# Terraform's built-in provider (terraform_data, terraform_remote_state) is never installed.
BUILTIN_PROVIDER = "terraform"

HCL2_HINT = "install python-hcl2==8.1.4"


def _parser():
    """python-hcl2, imported on the first parse: with every body cached on disk, a stack run never
    parses, and importing it (lark and its grammar) costs 0.05-0.2 s before the first unit starts."""
    try:
        import hcl2
    except ImportError as exc:
        raise GroundworkError("python-hcl2 is not installed for this Python; %s (%s)" % (HCL2_HINT, exc))
    return hcl2


@functools.lru_cache(maxsize=None)
def _parser_version():
    """python-hcl2's version (part of the body cache key), read from its version file when it is
    not imported yet, so a cache hit does not import it; found once per process, not per file."""
    loaded = sys.modules.get("hcl2")
    if loaded is not None:
        return getattr(loaded, "__version__", "")
    try:
        spec = importlib.util.find_spec("hcl2")
        locations = list(spec.submodule_search_locations or []) if spec else []
        with open(os.path.join(locations[0], "version.py"), encoding="utf-8") as handle:
            found = _VERSION_LINE.search(handle.read())
        if found:
            return found.group(1)
    except (ImportError, IndexError, OSError, ValueError):
        pass
    try:
        return getattr(_parser(), "__version__", "")
    except GroundworkError:
        return ""


_VERSION_LINE = re.compile(r"""^__version__\s*=\s*(?:version\s*=\s*)?['"]([^'"]+)['"]""", re.M)

# python-hcl2 8 serializes with one SerializationContext shared by every call (a default
# argument) and flips its flags while it walks: two threads interleaving leave it stuck, and from
# then on the whole process reads lists, maps and null as HCL text. Each parse gets its own
# context, and parses run one at a time (they hold the GIL anyway).
_PARSE_LOCK = threading.Lock()


def _serialize(hcl2, tree):
    # plain names and values, no comments or block markers; heredocs become ordinary strings
    options = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, preserve_heredocs=False)
    try:
        from hcl2.utils import SerializationContext
    except ImportError:  # a python-hcl2 without the shared context
        return hcl2.serialize(tree, serialization_options=options)
    return tree.serialize(options=options, context=SerializationContext())


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------

@dataclass
class Variable:
    name: str
    type: object = None          # type expression as text ("list(string)") or None if undeclared
    has_default: bool = False
    default: object = None
    sensitive: bool = False
    nullable: bool = True
    description: object = None


@dataclass
class Output:
    name: str
    sensitive: bool = False
    description: object = None
    value_expr: str = ""         # the value expression as HCL text, e.g. 'aws_vpc.this.id'


@dataclass
class ModuleInfo:
    path: str
    variables: dict = field(default_factory=dict)            # name -> Variable
    outputs: dict = field(default_factory=dict)              # name -> Output
    required_providers: dict = field(default_factory=dict)   # local name -> source
    provider_blocks: set = field(default_factory=set)
    resource_providers: set = field(default_factory=set)
    required_version: object = None
    child_modules: dict = field(default_factory=dict)        # module block name -> source
    resources: set = field(default_factory=set)              # "aws_vpc.this", "data.aws_iam_policy_document.x"
    locals: dict = field(default_factory=dict)               # local name -> expression text
    files: list = field(default_factory=list)                # file names read, sorted
    backend: object = None                                   # type of the module's own backend block
    module_versions: dict = field(default_factory=dict)      # module block name -> version constraint

    @property
    def required_variables(self):
        """Names of variables without a default, sorted: callers must give these."""
        return sorted(name for name, var in self.variables.items() if not var.has_default)

    def local_child_paths(self):
        """module block name -> absolute directory, for children sourced from a local path."""
        return {name: os.path.normpath(os.path.join(self.path, source))
                for name, source in sorted(self.child_modules.items()) if _is_local_source(source)}

    def uses_provider(self, name, _seen=None):
        """Whether this module or any local child module needs provider ``name`` (a local name)."""
        if name in self.required_providers or name in self.resource_providers or name in self.provider_blocks:
            return True
        seen = _seen if _seen is not None else set()
        seen.add(os.path.realpath(self.path))
        for child_name, child_path in self.local_child_paths().items():
            if os.path.realpath(child_path) in seen:
                continue
            child = _read_child(self, child_name, child_path)
            if child.uses_provider(name, seen):
                return True
        return False


def _is_local_source(source):
    return isinstance(source, str) and (source.startswith("./") or source.startswith("../"))


def _read_child(parent, child_name, child_path):
    if not os.path.isdir(child_path):
        raise InputError(
            "module \"%s\" in %s has source \"%s\", but %s is not a directory; fix the source path"
            % (child_name, parent.path, parent.child_modules[child_name], child_path),
            path=child_path)
    return read_module(child_path)


# --------------------------------------------------------------------------------------------
# Reading a module directory
# --------------------------------------------------------------------------------------------

_CACHE = {}


def _config_files(path):
    # Terraform skips editor backups and hidden files; so do we.
    names = [n for n in os.listdir(path)
             if (n.endswith(".tf") or n.endswith(".tf.json"))
             and not n.startswith((".", "#")) and not n.endswith("~")
             and os.path.isfile(os.path.join(path, n))]
    return sorted(names)


def _is_override(file_name):
    base = file_name[:-len(".json")] if file_name.endswith(".json") else file_name
    return base == "override.tf" or base.endswith("_override.tf")


def read_module(path):
    """Return the ModuleInfo of the Terraform module in directory ``path`` (cached per mtimes)."""
    if not isinstance(path, str) or not path:
        raise InputError("Terraform module path must be a non-empty string, got %r" % (path,))
    if not os.path.isdir(path):
        raise InputError(
            "Terraform module directory %s does not exist; check unit_module and terraform_modules_dir"
            % path, path=path)
    abspath = os.path.abspath(path)
    files = _config_files(abspath)
    if not files:
        raise InputError(
            "%s holds no *.tf or *.tf.json files, so it is not a Terraform module; check unit_module"
            % abspath, path=abspath)
    signature = []
    for name in files:
        st = os.stat(os.path.join(abspath, name))
        signature.append((name, st.st_mtime_ns, st.st_size))
    signature = tuple(signature)
    key = os.path.realpath(abspath)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    info = _build_module(abspath, files)
    _CACHE[key] = (signature, info)
    return info


def clear_cache():
    _CACHE.clear()


# python-hcl2 takes 10-50 ms of CPU per file, and a stack run reads every unit's module before
# any terraform starts (0.8 s for inventories/local's 10 modules). A parsed body is kept on disk
# under the hash of the file's bytes and the parser's version, so an unchanged file is parsed once,
# not once per run and process. Only successful parses are kept: a broken file is reported every time.
BODY_CACHE_FORMAT = 1
BODY_CACHE_MAX_ENTRIES = 4096


def body_cache_dir():
    """Where parsed HCL bodies are kept: GROUNDWORK_HCL_CACHE_DIR ('' turns the cache off), else
    $XDG_CACHE_HOME/groundwork-terraform/hcl (~/.cache/...)."""
    configured = os.environ.get("GROUNDWORK_HCL_CACHE_DIR")
    if configured is not None:
        return os.path.expanduser(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "groundwork-terraform", "hcl")


def _body_cache_path(cache_dir, text):
    digest = hashlib.sha256(("%d\0%s\0" % (BODY_CACHE_FORMAT, _parser_version()))
                            .encode() + text.encode("utf-8")).hexdigest()
    return os.path.join(cache_dir, digest + ".json")


def _cached_body(entry):
    """The body kept at this entry, or None (missing, unreadable or damaged entries alike)."""
    if not entry:
        return None
    try:
        with open(entry, encoding="utf-8") as handle:
            body = json.load(handle)
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _keep_body(entry, body):
    """Keep a parsed body (owner-only, written whole or not at all); a cache that cannot be written is skipped."""
    if not entry:
        return
    cache_dir = os.path.dirname(entry)
    try:
        os.makedirs(cache_dir, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".json")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, separators=(",", ":"))
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune_bodies(cache_dir)
    except (OSError, TypeError, ValueError):
        return


def _prune_bodies(cache_dir):
    """Past BODY_CACHE_MAX_ENTRIES, drop the oldest quarter (each edit of a file adds an entry)."""
    entries = [e for e in os.scandir(cache_dir) if e.name.endswith(".json") and not e.name.startswith(".")]
    if len(entries) <= BODY_CACHE_MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for entry in entries[:len(entries) - BODY_CACHE_MAX_ENTRIES * 3 // 4]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _parse_file(file_path):
    try:
        with open(file_path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise InputError("%s is not valid UTF-8 (byte %d); Terraform files must be UTF-8"
                         % (file_path, exc.start), file=file_path)
    if file_path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError("JSON syntax error in %s line %d, column %d: %s"
                             % (file_path, exc.lineno, exc.colno, exc.msg), file=file_path, line=exc.lineno)
        if not isinstance(data, dict):
            raise InputError("%s must hold a JSON object at the top level" % file_path, file=file_path)
        return text, _json_to_raw_body(data)
    cache_dir = body_cache_dir()
    entry = _body_cache_path(cache_dir, text) if cache_dir else None  # hashed once, read or written
    body = _cached_body(entry)
    if body is not None:
        return text, body
    hcl2 = _parser()
    import lark.exceptions  # python-hcl2's parser, there once hcl2 is
    try:
        with _PARSE_LOCK:
            body = _serialize(hcl2, hcl2.parses(text))
    except lark.exceptions.UnexpectedInput as exc:
        raise InputError(_syntax_message(file_path, exc), file=file_path,
                         line=getattr(exc, "line", None), column=getattr(exc, "column", None))
    except Exception as exc:  # python-hcl2 raises RuntimeError/ValueError for some semantic errors
        raise InputError("HCL error in %s: %s" % (file_path, str(exc).splitlines()[0] if str(exc) else exc),
                         file=file_path)
    _keep_body(entry, body)
    return text, body


_TOKEN_SYMBOLS = {
    "RBRACE": "'}'", "LBRACE": "'{'", "RSQB": "']'", "LSQB": "'['", "RPAR": "')'", "LPAR": "'('",
    "EQ": "'='", "COMMA": "','", "DBLQUOTE": "'\"'", "COLON": "':'", "NAME": "a name",
    "NL_OR_COMMENT": "a new line", "$END": "end of file",
}


def _syntax_message(file_path, exc):
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    where = "%s line %s, column %s" % (file_path, line, column) if line and line > 0 else file_path
    token = getattr(exc, "token", None)
    if token is not None:
        if token.type == "$END":
            what = "unexpected end of file"
        else:
            text = str(token).strip().splitlines()[0] if str(token).strip() else str(token)
            what = "unexpected %s" % json.dumps(text[:30])
    elif getattr(exc, "char", None) is not None:
        what = "unexpected character %s" % json.dumps(exc.char)
    else:
        what = "invalid syntax"
    expected = sorted(_TOKEN_SYMBOLS[t] for t in (getattr(exc, "expected", None) or ()) if t in _TOKEN_SYMBOLS)
    hint = "; expected %s" % " or ".join(expected) if expected and len(expected) <= 3 else ""
    return "HCL syntax error in %s: %s%s" % (where, what, hint)


def _line_of(text, pattern):
    # The last match: within one file the later declaration is the duplicate.
    matches = list(re.finditer(pattern, text, re.M))
    return text.count("\n", 0, matches[-1].start()) + 1 if matches else None


def _blocks(body, block_type, label_count):
    """Yield (labels, body) for each ``block_type`` block with ``label_count`` labels."""
    def walk(node, labels):
        if isinstance(node, list):
            for item in node:
                yield from walk(item, labels)
            return
        if not isinstance(node, dict):
            return
        if len(labels) == label_count:
            yield tuple(labels), node
            return
        for key, value in node.items():
            yield from walk(value, labels + [_unquote_key(key)])
    value = body.get(block_type)
    if value is None:
        return iter(())
    return walk(value, [])


def _build_module(path, files):
    info = ModuleInfo(path=path, files=list(files))
    var_attrs, var_where = {}, {}
    out_attrs, out_where = {}, {}
    # Override files are merged last, into what the primary files declare, as Terraform does.
    ordered = [f for f in files if not _is_override(f)] + [f for f in files if _is_override(f)]
    for file_name in ordered:
        file_path = os.path.join(path, file_name)
        text, body = _parse_file(file_path)
        override = _is_override(file_name)
        for kind, attrs_by_name, where in (("variable", var_attrs, var_where), ("output", out_attrs, out_where)):
            for (name,), attrs in _blocks(body, kind, 1):
                if name in attrs_by_name and not override:
                    line = _line_of(text, r'^[ \t]*%s[ \t]+"?%s"?[ \t]*\{' % (kind, re.escape(name)))
                    at = "%s line %s" % (file_path, line) if line else file_path
                    raise InputError(
                        "duplicate %s \"%s\" in %s (first declared in %s); remove one of them"
                        % (kind, name, at, where[name]), file=file_path, line=line)
                attrs_by_name.setdefault(name, {}).update(attrs)
                where.setdefault(name, file_path)
        for _labels, attrs in _blocks(body, "terraform", 0):
            _read_terraform_block(info, attrs)
        for (name,), _attrs in _blocks(body, "provider", 1):
            info.provider_blocks.add(name)
        # check blocks may hold a scoped data source, which needs its provider too.
        scopes = [body] + [attrs for _labels, attrs in _blocks(body, "check", 1)]
        for scope in scopes:
            for kind in ("resource", "data", "ephemeral"):
                for (rtype, rname), attrs in _blocks(scope, kind, 2):
                    if scope is body:
                        info.resources.add(("" if kind == "resource" else kind + ".") + rtype + "." + rname)
                    provider = _provider_of(rtype, attrs)
                    if provider and provider != BUILTIN_PROVIDER:
                        info.resource_providers.add(provider)
        for (name,), attrs in _blocks(body, "module", 1):
            source = _literal(attrs.get("source"))
            info.child_modules[name] = source if isinstance(source, str) else None
            version = _literal(attrs.get("version"))
            if isinstance(version, str):
                info.module_versions[name] = version
        for _labels, attrs in _blocks(body, "locals", 0):
            for name, raw in attrs.items():
                info.locals[name] = _expr_text(raw)
    for name, attrs in var_attrs.items():
        info.variables[name] = _make_variable(name, attrs)
    for name, attrs in out_attrs.items():
        info.outputs[name] = Output(
            name=name, sensitive=_bool(attrs.get("sensitive"), False),
            description=_string_or_none(attrs.get("description")),
            value_expr=_expr_text(attrs.get("value")))
    return info


def _read_terraform_block(info, attrs):
    for labels, _body in _blocks(attrs, "backend", 1):
        info.backend = labels[0]
    version = _literal(attrs.get("required_version"))
    if isinstance(version, str) and info.required_version is None:
        info.required_version = version
    for _labels, providers in _blocks(attrs, "required_providers", 0):
        for local_name, spec in providers.items():
            local_name = _unquote_key(local_name)
            source = None
            if isinstance(spec, dict):
                source = _literal(spec.get("source"))
            # Without a source (or the pre-0.13 version-only string) Terraform assumes hashicorp/<name>.
            info.required_providers[local_name] = source if isinstance(source, str) else "hashicorp/" + local_name


def _provider_of(resource_type, attrs):
    explicit = attrs.get("provider")
    if explicit is not None:
        text = _expr_text(explicit).strip('"')
        if text:
            return text.split(".")[0]
    return resource_type.split("_", 1)[0]


def _make_variable(name, attrs):
    type_raw = attrs.get("type")
    type_text = None
    if type_raw is not None:
        type_text = _expr_text(type_raw)
        if type_text.startswith('"') and type_text.endswith('"'):  # legacy quoted type / JSON
            type_text = type_text[1:-1]
        type_text = type_text.strip() or None
    return Variable(
        name=name, type=type_text, has_default="default" in attrs, default=_literal(attrs.get("default")),
        sensitive=_bool(attrs.get("sensitive"), False), nullable=_bool(attrs.get("nullable"), True),
        description=_string_or_none(attrs.get("description")))


# --------------------------------------------------------------------------------------------
# Normalising python-hcl2's serialized form ("raw")
# --------------------------------------------------------------------------------------------

def _is_quoted(raw):
    return isinstance(raw, str) and len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"'


def _is_interpolation(raw):
    return isinstance(raw, str) and raw.startswith("${") and raw.endswith("}")


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(body):
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            marker = body[i + 1]
            if marker in _ESCAPES:
                out.append(_ESCAPES[marker])
                i += 2
                continue
            if marker in "uU":
                width = 4 if marker == "u" else 8
                digits = body[i + 2:i + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    out.append(chr(int(digits, 16)))
                    i += 2 + width
                    continue
        if body.startswith("$${", i) or body.startswith("%%{", i):  # escaped template markers
            out.append(body[i] + "{")
            i += 3
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _unquote_key(key):
    return _unescape(key[1:-1]) if _is_quoted(key) else key


def _has_template(raw_quoted):
    return re.search(r"(?<![$%])[$%]\{", raw_quoted) is not None


def _literal(raw):
    """Python value of a raw literal; expressions come back as their '${...}' text."""
    if isinstance(raw, dict):
        return {_unquote_key(k): _literal(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_literal(v) for v in raw]
    if _is_quoted(raw):
        return _unescape(raw[1:-1])
    return raw


def _bool(raw, default):
    value = _literal(raw)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return default


def _string_or_none(raw):
    value = _literal(raw)
    return value if isinstance(value, str) else None


def _expr_text(raw):
    """HCL text of a raw value: 'aws_vpc.this.id', '"abc"', '3', '{a = 1, b = "x"}'."""
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float)):
        return repr(raw)
    if isinstance(raw, dict):
        return "{" + ", ".join("%s = %s" % (k, _expr_text(v)) for k, v in raw.items()) + "}"
    if isinstance(raw, list):
        return "[" + ", ".join(_expr_text(v) for v in raw) + "]"
    if _is_interpolation(raw):
        return raw[2:-1].strip()
    return str(raw)


def _json_to_raw_body(node):
    """Map a *.tf.json document onto python-hcl2's raw form (quoted strings, '${}' expressions)."""
    if isinstance(node, dict):
        return {k: _json_to_raw_body(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_json_to_raw_body(v) for v in node]
    if isinstance(node, str):
        # A JSON string that is exactly one interpolation is that expression; else a template.
        if node.startswith("${") and node.endswith("}") and _single_interpolation(node):
            return node
        return '"' + node.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return node


def _single_interpolation(text):
    try:
        return _scan_interp(text, 2) == len(text)
    except _ExprError:
        return False


# --------------------------------------------------------------------------------------------
# A small HCL expression tokenizer, enough for type expressions and output inference
# --------------------------------------------------------------------------------------------

class _ExprError(Exception):
    pass


_PUNCT = ("...", "=>", "==", "!=", "<=", ">=", "&&", "||",
          "(", ")", "[", "]", "{", "}", ",", "=", ":", "?", ".", "*", "+", "-", "/", "%", "!", "<", ">")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _scan_string(text, i):
    """Index after the string literal starting at text[i] == '"' (templates nest)."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        if text.startswith("$${", i) or text.startswith("%%{", i):
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            i = _scan_interp(text, i + 2)
            continue
        i += 1
    raise _ExprError("unterminated string")


def _scan_interp(text, i):
    """Index after the '}' closing an interpolation whose body starts at text[i]."""
    depth = 1
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _scan_string(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise _ExprError("unterminated interpolation")


def _tokenize(text):
    tokens, i = [], 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char == '"':
            end = _scan_string(text, i)
            tokens.append(("str", text[i:end]))
            i = end
            continue
        match = _NUMBER.match(text, i)
        if match:
            tokens.append(("num", match.group(0)))
            i = match.end()
            continue
        match = _IDENT.match(text, i)
        if match:
            tokens.append(("id", match.group(0)))
            i = match.end()
            continue
        for punct in _PUNCT:
            if text.startswith(punct, i):
                tokens.append(("op", punct))
                i += len(punct)
                break
        else:
            raise _ExprError("unexpected %r" % char)
    return tokens


_OPEN = {"(": ")", "[": "]", "{": "}"}


def _top_level(tokens):
    """Yield (index, token) for tokens outside any brackets."""
    depth = 0
    for index, token in enumerate(tokens):
        if token[0] == "op" and token[1] in _OPEN:
            if depth == 0:
                yield index, token
            depth += 1
            continue
        if token[0] == "op" and token[1] in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                yield index, token
            continue
        if depth == 0:
            yield index, token


def _matching(tokens, start):
    """Index of the bracket closing tokens[start]."""
    depth = 0
    for index in range(start, len(tokens)):
        kind, value = tokens[index]
        if kind == "op" and value in _OPEN:
            depth += 1
        elif kind == "op" and value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return index
    raise _ExprError("unbalanced brackets")


def _split_top(tokens, separator=","):
    parts, current, depth = [], [], 0
    for token in tokens:
        if token[0] == "op" and token[1] in _OPEN:
            depth += 1
        elif token[0] == "op" and token[1] in (")", "]", "}"):
            depth -= 1
        if depth == 0 and token == ("op", separator):
            parts.append(current)
            current = []
            continue
        current.append(token)
    if current:
        parts.append(current)
    return parts


# --------------------------------------------------------------------------------------------
# Type expressions -> placeholder values
# --------------------------------------------------------------------------------------------

_PRIMITIVES = ("string", "number", "bool", "any")


def _parse_type(tokens, pos):
    kind, value = tokens[pos] if pos < len(tokens) else ("eof", "")
    if kind != "id":
        raise _ExprError("expected a type name")
    if value in _PRIMITIVES:
        return (value,), pos + 1

    def expect(position, symbol):
        if position >= len(tokens) or tokens[position] != ("op", symbol):
            raise _ExprError("expected %r after %s" % (symbol, value))
        return position + 1

    if value in ("list", "set", "map"):
        pos = expect(pos + 1, "(")
        elem, pos = _parse_type(tokens, pos)
        return (value, elem), expect(pos, ")")
    if value == "tuple":
        pos = expect(expect(pos + 1, "("), "[")
        elems = []
        while tokens[pos] != ("op", "]"):
            elem, pos = _parse_type(tokens, pos)
            elems.append(elem)
            if tokens[pos] == ("op", ","):
                pos += 1
        return ("tuple", elems), expect(pos + 1, ")")
    if value == "object":
        pos = expect(expect(pos + 1, "("), "{")
        attrs = []
        while tokens[pos] != ("op", "}"):
            key_kind, key = tokens[pos]
            if key_kind == "str":
                key = _unescape(key[1:-1])
            elif key_kind != "id":
                raise _ExprError("expected an attribute name in object type")
            if tokens[pos + 1] not in (("op", "="), ("op", ":")):
                raise _ExprError("expected '=' after object attribute %s" % key)
            pos += 2
            if tokens[pos] == ("id", "optional") and pos + 1 < len(tokens) and tokens[pos + 1] == ("op", "("):
                close = _matching(tokens, pos + 1)
                elem, after = _parse_type(tokens, pos + 2)
                if after != close and tokens[after] != ("op", ","):
                    raise _ExprError("bad optional() in object type")
                pos = close + 1
            else:
                elem, pos = _parse_type(tokens, pos)
            attrs.append((key, elem))
            if pos < len(tokens) and tokens[pos] == ("op", ","):
                pos += 1
        return ("object", attrs), expect(pos + 1, ")")
    raise _ExprError("unknown type %r" % value)


def _placeholder(node, name):
    kind = node[0]
    if kind in ("string", "any"):
        return "mock-%s" % name if name else "mock"
    if kind == "number":
        return 0
    if kind == "bool":
        return False
    if kind in ("list", "set"):
        return []
    if kind == "map":
        return {}
    if kind == "tuple":
        return [_placeholder(elem, "%s-%d" % (name, i) if name else str(i)) for i, elem in enumerate(node[1])]
    return {key: _placeholder(elem, "%s-%s" % (name, key) if name else key) for key, elem in node[1]}


def parse_type(type_str):
    """A Terraform type expression as a tree of tuples, the one type parser of the collection.

    ``"string"`` -> ``("string",)`` (likewise number, bool, any); ``"list(string)"`` ->
    ``("list", ("string",))`` (likewise set and map); ``"tuple([string, number])"`` ->
    ``("tuple", [("string",), ("number",)])``; ``"object({a = string, b = optional(number, 1)})"``
    -> ``("object", [("a", ("string",)), ("b", ("number",))])`` (``optional()`` unwrapped, its
    default dropped). The ``${...}`` wrapper python-hcl2 puts around expressions is accepted.
    ``None`` (no type declared) is ``("any",)``. Raises InputError for text that is not a type.
    """
    if type_str is None:
        return ("any",)
    text = type_str.strip()
    if _is_interpolation(text):
        text = text[2:-1]
    try:
        tokens = _tokenize(text)
        node, pos = _parse_type(tokens, 0)
        if pos != len(tokens):
            raise _ExprError("unexpected text after the type")
    except (_ExprError, IndexError) as exc:
        raise InputError("%r is not a Terraform type expression (%s)" % (type_str, exc))
    return node


def placeholder_for_type(type_str, name=None):
    """A value valid for Terraform type ``type_str``: "mock-<name>", 0, false, [], {}, objects by attribute.

    ``type_str`` None means undeclared (any). Raises InputError for text that is not a type.
    """
    return _placeholder(parse_type(type_str), name)


# --------------------------------------------------------------------------------------------
# Output expressions -> mock values
# --------------------------------------------------------------------------------------------

_STRING_FUNCS = frozenset("""
    tostring join format formatdate lower upper title replace substr trim trimspace trimprefix
    trimsuffix jsonencode yamlencode base64encode base64decode base64gzip base64sha256 base64sha512
    md5 sha1 sha256 sha512 uuid uuidv5 timestamp timeadd plantimestamp cidrhost cidrnetmask
    cidrsubnet templatefile file filebase64 abspath basename dirname pathexpand chomp indent
    urlencode textencodebase64 textdecodebase64 bcrypt filemd5 filesha1 filesha256 filesha512 strrev
    """.split())
_NUMBER_FUNCS = frozenset("length sum max min abs ceil floor log pow signum parseint tonumber index".split())
_BOOL_FUNCS = frozenset("tobool can contains anytrue alltrue startswith endswith issensitive strcontains".split())
_LIST_FUNCS = frozenset("""
    tolist toset concat flatten distinct compact sort keys values slice split range setproduct
    setunion setintersection setsubtract reverse chunklist formatlist matchkeys cidrsubnets regexall fileset
    """.split())
_MAP_FUNCS = frozenset("tomap merge zipmap transpose".split())
_FIRST_ARG_FUNCS = frozenset("try coalesce sensitive nonsensitive".split())

_LIST_ATTRS = re.compile(r"(^|_)(ids|arns|names|cidr_blocks|availability_zones|zones|servers)$")
_MAP_ATTRS = re.compile(r"^(tags|tags_all)$")
_NUMBER_ATTRS = re.compile(r"(^|_)(port|count)$")


def mock_outputs(module_info, unit_name, region=None):
    """output name -> a placeholder for plans made before the unit has state.

    Typed from the output's expression where it tells (literals, lists, maps, known functions,
    ``var.x`` with a declared type, ``local.x``/``module.x.y`` followed into the module);
    otherwise the string "mock-<unit>-<output>". Lists hold one element so ``[0]`` and
    ``for_each`` work in the dependent's plan.

    Strings (and list elements) the expression leaves open are then shaped like the AWS value
    they stand for, from the output's name, the resource attribute it returns and its
    description (mock_shapes): ``vpc_id`` -> ``vpc-00000000<hex>``, ``queue_arn`` ->
    ``arn:aws:sqs:<region>:000000000000:mock-<unit>-queue_arn``, ``*_cidr_block`` ->
    ``10.0.0.0/16``, ``*_url`` -> ``https://mock.invalid/...``, so providers and variable
    validations accept them. ``region`` (default us-east-1) goes into regional ARNs.
    ``unit_mock_outputs`` in the inventory still overrides any of them.
    """
    mocks = {}
    for name, output in sorted(module_info.outputs.items()):
        label = "mock-%s-%s" % (unit_name, name)
        value = _infer_text(output.value_expr, label, module_info, 0)
        mocks[name] = _shaped(value, label, output, module_info, unit_name, region)
    return mocks


def _shaped(value, label, output, module_info, unit_name, region):
    """``value`` with the open placeholders (``label``, or ``label-<n>`` in lists) shaped."""
    def is_open(item):
        return isinstance(item, str) and (item == label or item.startswith(label + "-"))
    if not (is_open(value) or (isinstance(value, list) and value and all(is_open(v) for v in value))):
        return value
    resource_type, attribute = _output_source(output.value_expr, module_info)
    description = output.description if isinstance(output.description, str) else None
    if isinstance(value, list):
        count = max(len(value), mock_shapes.list_length(output.name))
        shaped = [mock_shapes.shape(output.name, unit_name, resource_type, attribute, description, region, index)
                  for index in range(count)]
        return shaped if all(item is not None for item in shaped) else value
    shaped = mock_shapes.shape(output.name, unit_name, resource_type, attribute, description, region)
    return value if shaped is None else shaped


_RESOURCE_ATTR = re.compile(r"(?<![\w.])(?:data\.)?(aws_[a-z0-9_]+)\.[A-Za-z_][\w-]*((?:\[[^\]]*\])*)((?:\.[a-z_]+)*)")
_TRAILING_ATTR = re.compile(r"\.([a-z_]+)\s*$")
_LOCAL_REF = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")
_MODULE_REF = re.compile(r"(?<![\w.])module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)")


def _output_source(expr, mod, depth=0):
    """(resource type, attribute) an output expression returns, e.g. ("aws_sqs_queue", "arn");
    either may be None. ``local.x`` and ``module.x.y`` are followed (a few levels deep)."""
    text = expr or ""
    for _level in range(4):
        expanded = _LOCAL_REF.sub(lambda m: "(%s)" % mod.locals[m.group(1)] if m.group(1) in mod.locals
                                  else m.group(0), text)
        expanded = _MODULE_REF.sub(lambda m: "(%s)" % (_child_output_expr(mod, m.group(1), m.group(2)) or m.group(0)),
                                   expanded)
        if expanded == text:
            break
        text = expanded
    match = _RESOURCE_ATTR.search(text)
    if not match:
        return None, None
    attrs = [a for a in match.group(3).split(".") if a]
    if attrs:
        return match.group(1), attrs[-1]
    trailing = _TRAILING_ATTR.search(expr or "")
    return match.group(1), trailing.group(1) if trailing else None


def _child_output_expr(mod, child_name, output_name):
    child_path = mod.local_child_paths().get(child_name)
    if not child_path or not os.path.isdir(child_path):
        return None
    try:
        output = read_module(child_path).outputs.get(output_name)
    except InputError:
        return None
    return output.value_expr if output else None


def _infer_text(text, label, module_info, depth):
    if depth > 8:
        return label
    try:
        return _infer(_tokenize(text), label, module_info, depth)
    except (_ExprError, IndexError):
        return label


def _infer(tokens, label, mod, depth):
    while tokens and tokens[0] == ("op", "(") and _matching(tokens, 0) == len(tokens) - 1:
        tokens = tokens[1:-1]
    if not tokens:
        return label
    top = list(_top_level(tokens))
    top_ops = [(i, t[1]) for i, t in top if t[0] == "op"]
    question = next((i for i, op in top_ops if op == "?"), None)
    if question is not None:
        colon = next((i for i, op in top_ops if op == ":" and i > question), None)
        if colon is not None:
            chosen = _infer(tokens[question + 1:colon], label, mod, depth)
            return chosen if chosen is not None else _infer(tokens[colon + 1:], label, mod, depth)
    if any(op in ("==", "!=", "<", ">", "<=", ">=", "&&", "||") for _i, op in top_ops) or tokens[0] == ("op", "!"):
        return False
    arithmetic = [i for i, op in top_ops if op in ("+", "-", "*", "/", "%") and i > 0
                  and not (op == "*" and tokens[i - 1] == ("op", "."))]
    if arithmetic:
        return 0
    kind, value = tokens[0]
    if len(tokens) == 1:
        if kind == "str":
            return label if _has_template(value) else _unescape(value[1:-1])
        if kind == "num":
            return float(value) if any(c in value for c in ".eE") else int(value)
        if (kind, value) == ("id", "true"):
            return True
        if (kind, value) == ("id", "false"):
            return False
        if (kind, value) == ("id", "null"):
            return None
    if tokens[0] == ("op", "-") and len(tokens) == 2 and tokens[1][0] == "num":
        number = _infer(tokens[1:], label, mod, depth)
        return -number
    if kind == "op" and value in ("[", "{") and _matching(tokens, 0) == len(tokens) - 1:
        inner = tokens[1:-1]
        if inner and inner[0] == ("id", "for"):
            body = _for_body(inner, value == "{")
            return [_infer(body, label, mod, depth)] if value == "[" else {}
        if value == "[":
            return [_infer(item, "%s-%d" % (label, i), mod, depth) for i, item in enumerate(_split_top(inner))]
        return _infer_object(inner, label, mod, depth)
    if kind == "id" and len(tokens) > 1 and tokens[1] == ("op", "(") and _matching(tokens, 1) == len(tokens) - 1:
        return _infer_call(value, _split_top(tokens[2:-1]), label, mod, depth)
    return _infer_reference(tokens, label, mod, depth)


def _for_body(inner, is_object):
    colon = next((i for i, t in _top_level(inner) if t == ("op", ":")), None)
    if colon is None:
        raise _ExprError("for expression without ':'")
    body = inner[colon + 1:]
    stop = next((i for i, t in _top_level(body) if t == ("id", "if")), len(body))
    body = body[:stop]
    if is_object:
        arrow = next((i for i, t in _top_level(body) if t == ("op", "=>")), None)
        body = body[arrow + 1:] if arrow is not None else body
    return body


def _infer_object(inner, label, mod, depth):
    result = {}
    for item in _split_top(inner):
        sep = next((i for i, t in _top_level(item) if t in (("op", "="), ("op", ":"))), None)
        if sep is None or sep == 0:
            return {}
        key_tokens = item[:sep]
        if len(key_tokens) != 1 or key_tokens[0][0] not in ("id", "str"):
            return {}  # computed keys: the map's keys are unknown
        key = key_tokens[0][1]
        key = _unescape(key[1:-1]) if key_tokens[0][0] == "str" else key
        result[key] = _infer(item[sep + 1:], "%s-%s" % (label, key), mod, depth)
    return result


def _infer_call(function, args, label, mod, depth):
    first = _infer(args[0], label, mod, depth) if args else label
    if function in _STRING_FUNCS:
        return label
    if function in _NUMBER_FUNCS:
        return 0
    if function in _BOOL_FUNCS:
        return False
    if function in _LIST_FUNCS:
        return first if isinstance(first, list) and first else [label]
    if function in _MAP_FUNCS:
        return first if isinstance(first, dict) else {}
    if function in _FIRST_ARG_FUNCS:
        return first
    if function == "lookup":
        return _infer(args[2], label, mod, depth) if len(args) > 2 else label
    if function in ("element", "one"):
        return first[0] if isinstance(first, list) and first else label
    return label


def _reference_path(tokens):
    """['aws_vpc', 'this', 'id'] for plain dotted references; None if it indexes or splats."""
    names = []
    for index, (kind, value) in enumerate(tokens):
        if index % 2 == 0 and kind == "id":
            names.append(value)
        elif index % 2 == 1 and (kind, value) == ("op", "."):
            continue
        else:
            return None
    return names if len(tokens) % 2 == 1 else None


def _infer_reference(tokens, label, mod, depth):
    splat = any(tokens[i] == ("op", "[") and i + 2 < len(tokens) and tokens[i + 1] == ("op", "*")
                and tokens[i + 2] == ("op", "]") for i in range(len(tokens))) \
        or any(tokens[i] == ("op", ".") and i + 1 < len(tokens) and tokens[i + 1] == ("op", "*")
               for i in range(len(tokens)))
    if splat:
        return [label]
    path = _reference_path(tokens)
    if path and len(path) == 2 and path[0] == "var" and path[1] in mod.variables:
        variable = mod.variables[path[1]]
        if variable.type is not None:
            try:
                return placeholder_for_type(variable.type, label[len("mock-"):])
            except InputError:
                return label
        if variable.has_default and variable.default is not None:
            return variable.default
        return label
    if path and len(path) == 2 and path[0] == "local" and path[1] in mod.locals:
        return _infer_text(mod.locals[path[1]], label, mod, depth + 1)
    if path and len(path) == 3 and path[0] == "module":
        child_path = mod.local_child_paths().get(path[1])
        if child_path and os.path.isdir(child_path):
            try:
                child = read_module(child_path)
            except InputError:
                return label
            if path[2] in child.outputs:
                return _infer_text(child.outputs[path[2]].value_expr, label, child, depth + 1)
        return label
    last = tokens[-1]
    if last[0] == "id" and len(tokens) > 1 and tokens[-2] == ("op", "."):
        if _LIST_ATTRS.search(last[1]):
            return [label]
        if _MAP_ATTRS.search(last[1]):
            return {}
        if _NUMBER_ATTRS.search(last[1]):
            return 0
    if path and ".".join(path) in mod.resources:
        return {}  # a whole resource object, e.g. aws_vpc.this
    return label
