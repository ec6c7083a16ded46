"""stack_run asks terraform its version once per run, once the backends passed their checks, and
the units find the answer: on a cold deploy with a fresh plugin cache, one `terraform version`
process in all, ended before any unit's terraform starts (tests/reliability/test_bad_input.py:
no terraform at all when a backend check fails)."""
from __future__ import annotations

import pytest

from support.stack_deploy import deploy

pytestmark = [pytest.mark.terraform]


def test_the_version_is_asked_once_before_the_units_start(local_aws, tmp_path, terraform_bin):
    log = tmp_path / "terraform-commands.log"
    wrapper = tmp_path / "tf-logging.sh"
    # start and end stamps of every terraform process, with its subcommand; a version that takes a
    # second to answer (a slow disk, a cold binary): the units still wait for that one answer
    wrapper.write_text('#!/bin/sh\nstart=$(date +%%s.%%N)\n[ "$1" = version ] && sleep 1\n"%s" "$@"\nrc=$?\n'
                       'echo "$start $(date +%%s.%%N) $1" >> "%s"\nexit $rc\n' % (terraform_bin, log))
    wrapper.chmod(0o755)
    common = {"unit_module": "data_chain", "terraform_binary": str(wrapper),
              "terraform_plugin_cache_dir": str(tmp_path / "fresh-plugin-cache")}
    report, _, _ = deploy(tmp_path, local_aws, "probe", {"hosts": {
        "a": dict(common, unit_inputs={"name": "a"}),
        "b": dict(common, unit_dependencies=["a"], unit_inputs={"name": "b", "upstream": "{{ dependency.a.chain }}"}),
    }}, forks=2)
    assert [r["action"] for r in report["units"]] == ["applied", "applied"], report["units"]
    processes = [line.split() for line in log.read_text().splitlines()]
    versions = [(float(start), float(end)) for start, end, command in processes if command == "version"]
    assert len(versions) == 1, processes
    first_unit_process = min(float(start) for start, _, command in processes if command != "version")
    assert versions[0][1] <= first_unit_process, processes
