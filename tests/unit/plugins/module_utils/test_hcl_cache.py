"""The on-disk cache of parsed HCL bodies (hcl.body_cache_dir): same answers, fewer parses."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils import hcl
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import GroundworkError, InputError

REPO = Path(__file__).resolve().parents[4]
MAIN_TF = 'variable "name" {\n  type = string\n}\nvariable "tags" {\n  default = {a = [1, 2], b = null}\n}\n' \
          'output "id" {\n  value = "${var.name}-x"\n}\n'


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", str(path))
    hcl.clear_cache()  # the in-process cache would answer before the disk one
    yield path
    hcl.clear_cache()


@pytest.fixture
def parses(monkeypatch):
    """Counts python-hcl2 parses (the real parser still runs)."""
    calls = []
    parser = hcl._parser()
    real = parser.parses

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)
    monkeypatch.setattr(parser, "parses", counting)
    return calls


def module(tmp_path, text=MAIN_TF, name="m"):
    directory = tmp_path / name
    directory.mkdir(exist_ok=True)
    (directory / "main.tf").write_text(text)
    return str(directory)


def described(info):
    return (sorted((n, v.type, v.has_default, repr(v.default)) for n, v in info.variables.items()),
            sorted((n, o.value_expr) for n, o in info.outputs.items()), sorted(info.resources),
            sorted(info.required_providers.items()), info.required_version)


def test_a_second_process_reads_the_kept_body_without_parsing(tmp_path, cache_dir, parses):
    path = module(tmp_path)
    first = hcl.read_module(path)
    assert len(parses) == 1
    entries = list(cache_dir.glob("*.json"))
    assert len(entries) == 1
    hcl.clear_cache()  # as a new process would start
    second = hcl.read_module(path)
    assert len(parses) == 1, "the kept body was parsed again"
    assert second == first
    assert second.variables["tags"].default == {"a": [1, 2], "b": None}


def test_an_edited_file_is_parsed_again(tmp_path, cache_dir, parses):
    path = module(tmp_path)
    hcl.read_module(path)
    hcl.clear_cache()
    module(tmp_path, MAIN_TF + 'output "arn" {\n  value = "arn"\n}\n')
    info = hcl.read_module(path)
    assert len(parses) == 2
    assert sorted(info.outputs) == ["arn", "id"]


def test_a_damaged_entry_is_ignored_and_replaced(tmp_path, cache_dir, parses):
    path = module(tmp_path)
    expected = described(hcl.read_module(path))
    (entry,) = cache_dir.glob("*.json")
    entry.write_text('{"variable": [')
    hcl.clear_cache()
    assert described(hcl.read_module(path)) == expected
    assert len(parses) == 2
    assert json.loads(entry.read_text())["variable"]


def test_a_syntax_error_is_reported_every_time_and_never_kept(tmp_path, cache_dir):
    path = module(tmp_path, 'variable "x" {\n  type = string\n')
    for _ in range(2):
        hcl.clear_cache()
        with pytest.raises(InputError, match="HCL syntax error in .*main.tf"):
            hcl.read_module(path)
    assert not list(cache_dir.glob("*.json"))


def test_the_cache_is_owner_only(tmp_path, cache_dir):
    hcl.read_module(module(tmp_path))
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) & 0o077 == 0
    for entry in cache_dir.iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry


def test_an_empty_setting_turns_the_cache_off(tmp_path, monkeypatch, parses):
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = module(tmp_path)
    for _ in range(2):
        hcl.clear_cache()
        hcl.read_module(path)
    assert len(parses) == 2
    assert not (tmp_path / "xdg").exists()


def test_the_default_place_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.delenv("GROUNDWORK_HCL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hcl.body_cache_dir() == str(tmp_path / "xdg" / "groundwork-terraform" / "hcl")


def test_an_unwritable_cache_still_reads_the_module(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", str(blocker / "cache"))
    hcl.clear_cache()
    assert sorted(hcl.read_module(module(tmp_path)).variables) == ["name", "tags"]


def test_past_the_limit_the_oldest_quarter_goes(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(hcl, "BODY_CACHE_MAX_ENTRIES", 8)
    for index in range(9):
        hcl.read_module(module(tmp_path, MAIN_TF + "# %d\n" % index, name="m%d" % index))
    assert len(list(cache_dir.glob("*.json"))) == 6  # 9 > 8: down to 3/4 of 8
    assert not list(cache_dir.glob(".tmp-*"))


def test_every_module_of_the_repo_reads_the_same_from_the_cache(tmp_path, cache_dir, monkeypatch):
    modules = sorted(p.parent for p in (REPO / "terraform-modules").glob("*/main.tf"))
    assert len(modules) > 10
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", "")
    hcl.clear_cache()
    parsed = [hcl.read_module(str(m)) for m in modules]
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", str(cache_dir))
    for _ in range(2):  # the first pass fills the cache, the second reads only from it
        hcl.clear_cache()
        assert [hcl.read_module(str(m)) for m in modules] == parsed  # every field of every ModuleInfo


def test_a_cache_hit_does_not_import_the_parser(tmp_path, cache_dir):
    """A fresh interpreter reading a cached module never imports python-hcl2 (lark: 0.05-0.2 s)."""
    path = module(tmp_path)
    hcl.read_module(path)  # fills the cache
    code = ("import sys; from ansible_collections.groundwork.terraform.plugins.module_utils import hcl; "
            "info = hcl.read_module(%r); print(sorted(info.variables), 'hcl2' in sys.modules, 'lark' in sys.modules)"
            % path)
    env = dict(os.environ, GROUNDWORK_HCL_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO / "collections"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "['name', 'tags'] False False"


def test_without_python_hcl2_a_miss_says_how_to_install_it(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "hcl2", None)  # import hcl2 -> ImportError
    hcl.clear_cache()
    with pytest.raises(GroundworkError, match=r"python-hcl2 is not installed for this Python; install python-hcl2=="):
        hcl.read_module(module(tmp_path))
