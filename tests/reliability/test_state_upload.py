"""The endpoint goes away while an apply runs: terraform cannot upload the new state at its end."""
from __future__ import annotations

import os
import stat
import subprocess

import pytest

import reliability_kit as kit
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import TerraformError

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@pytest.mark.scenario("I3", "S1")
def test_failed_state_upload_keeps_errored_state_private_blocks_the_unit_and_recovers(
        unit, aws, local_aws, tmp_path, record_property):
    endpoint = kit.StoppableEndpoint(local_aws).start()
    # max_retries 1: terraform would otherwise retry the dead endpoint for half a minute
    backend = dict(aws.new_store("dynamodb", endpoint=endpoint.url), key="rel/us-east-1/upload/terraform.tfstate",
                   max_retries=1)
    options = dict(name="upload", backend=backend, log_dir=str(tmp_path / "logs"))
    unit(inputs={"name": "v1"}, **options)
    log = tmp_path / "logs" / "upload.log"
    work = unit.work_root / "upload"
    offset = kit.log_size(log)

    apply = kit.Background(lambda: unit(inputs={"name": "v2", "delay": "3"}, **options))
    kit.wait_for_text(log, "sleep 3", after=offset, run=apply)
    endpoint.stop()  # the endpoint is gone for the end of the apply: state upload and unlock fail
    failed = apply.outcome()

    assert isinstance(failed, TerraformError), failed
    message = failed.message
    errored = work / "errored.tfstate"
    assert errored.exists() and stat.S_IMODE(os.stat(errored).st_mode) == 0o600
    assert kit.one_line(message) and "unit upload is blocked" in message and str(errored) in message
    held = failed.details["lock_id"]
    assert held and "terraform force-unlock -force %s && terraform state push errored.tfstate && rm errored.tfstate"\
        % held in message
    for text in (message, log.read_text(), str(failed.details)):
        assert kit.SECRET not in text and kit.TOKEN not in text, "a secret of the errored state was printed"
    assert kit.SECRET.encode() in errored.read_bytes(), "errored.tfstate should hold the real state"
    assert not kit.readable_by_others(tmp_path, errored)

    # Blocked until recovered, even with the endpoint back: no terraform process starts over it.
    endpoint.start()
    with pytest.raises(TerraformError, match="unit upload is blocked") as blocked:
        unit(inputs={"name": "v2"}, **options)
    assert blocked.value.details.get("recovery") == failed.details["recovery"]
    assert aws.state(backend)["outputs"]["name"]["value"] == "v1", "the remote state moved"
    assert aws.lock(backend)["ID"] == held, "the failed apply's lock should still be there"

    # The documented recovery, run as printed (same environment: AWS credentials from it).
    recovery = subprocess.run(failed.details["recovery"], shell=True, capture_output=True, text=True,
                              timeout=120, env=dict(os.environ))  # nosec - our own printed command
    assert recovery.returncode == 0, recovery.stdout + recovery.stderr
    assert not errored.exists() and aws.lock(backend) is None
    state = aws.state(backend)
    assert state["outputs"]["name"]["value"] == "v2"
    again = unit(inputs={"name": "v2", "delay": "3"}, **options)
    assert again["changed"] is False, "the pushed state did not hold the applied changes"
    endpoint.stop()
    record_property("observed", "endpoint stopped mid-apply: errored.tfstate 0600 with the state (never printed), "
                    "lock %s left; unit blocked; printed recovery (force-unlock, state push, rm) restored serial "
                    "%s; the re-run had nothing to do" % (held[:8], state["serial"]))
