"""Gate: ansible-lint, production profile, on the whole checkout (config in .ansible-lint)."""
from __future__ import annotations

import yaml

from gate_tools import REPO, VENV_BIN, describe, run_tool, tool_env


def test_lint_config_is_offline_and_excludes_the_symlink_loop():
    # Galaxy is unreachable: a lint run that tries to install requirements hangs or fails.
    config = yaml.safe_load((REPO / ".ansible-lint").read_text(encoding="utf-8"))
    assert config["profile"] == "production"
    assert config["offline"] is True
    assert "collections/" in config["exclude_paths"]


def test_ansible_lint_production_profile_passes(tmp_path):
    # ANSIBLE_HOME in tmp: in offline mode ansible-lint puts $ANSIBLE_HOME/collections first on
    # the collections path, and a stale groundwork.terraform installed in ~/.ansible would
    # otherwise be linted against instead of the checkout.
    env = tool_env(ANSIBLE_CONFIG=REPO / "ansible.cfg", ANSIBLE_LINT_SKIP_SCHEMA_UPDATE="1",
                   ANSIBLE_HOME=tmp_path / "ansible-home")
    proc, seconds = run_tool([VENV_BIN / "ansible-lint", "--offline", "-f", "pep8", "--nocolor"],
                             cwd=REPO, env=env)
    assert proc.returncode == 0, "ansible-lint found problems:\n" + describe(proc, seconds)
    # The summary line proves it linted under the requested profile, not a fallback.
    assert "Profile 'production' was required, and it passed" in proc.stderr, describe(proc, seconds)
