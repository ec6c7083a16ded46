"""groundwork.terraform.state_restore (module_utils/state_history.run_state_restore, what the module runs)
against real terraform states in a versioned bucket, with each lock kind. restore.yml itself runs
in test_stack_faults.py."""
from __future__ import annotations

import hashlib
import json

import pytest

import reliability_kit as kit
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import (
    InputError, LockHeldError, TerraformError)
from ansible_collections.groundwork.terraform.plugins.module_utils.state_history import run_state_restore

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@pytest.mark.scenario("R1", "R2")
@pytest.mark.parametrize("kind", kit.LOCK_KINDS)
def test_versions_listed_and_one_restored_safely(kind, unit, aws, tmp_path, record_property):
    backend = dict(aws.new_store(kind), key="rel/us-east-1/history/terraform.tfstate")
    for name in ("one", "two", "three"):
        unit(name="history", backend=backend, inputs={"name": name})

    listed = run_state_restore({"backend": backend})
    versions = listed["versions"]
    assert [v["serial"] for v in versions] == [3, 2, 1] and versions[0]["is_latest"]
    assert len({v["lineage"] for v in versions}) == 1 and all(v["resources"] == 1 for v in versions)
    assert all(v["version_id"] and v["last_modified"].endswith("Z") and v["size"] > 0 for v in versions)
    assert listed["current"]["serial"] == 3 and listed["lock"] is None
    assert listed["digest"] == (versions[0]["md5"] if kind == "dynamodb" else None)
    first = versions[-1]["version_id"]

    plan_file = str(tmp_path / "saved-before-restore.tfplan")  # a plan made against serial 3
    unit(name="history", backend=backend, inputs={"name": "four"}, state="planned", plan_file=plan_file)

    checked = run_state_restore({"backend": backend, "version_id": first}, check_mode=True, diff=True)
    assert checked["changed"] and checked["diff"]["before"]["serial"] == 3 and checked["diff"]["after"]["serial"] == 4
    assert len(aws.versions(backend)) == 3 and aws.state(backend)["serial"] == 3, "check mode wrote something"

    holder = kit.Background(lambda: unit(name="history", backend=backend, inputs={"name": "held", "delay": "2"}))
    info = aws.wait_for_lock(backend)
    with pytest.raises(LockHeldError) as held:
        run_state_restore({"backend": backend, "version_id": first})
    assert "ID %s, held by %s" % (info["ID"], info["Who"]) in held.value.message
    assert "nothing was restored" in held.value.message
    assert not isinstance(holder.outcome(), Exception)
    serial = aws.state(backend)["serial"]  # the holder's apply moved it on

    restored = run_state_restore({"backend": backend, "version_id": first}, diff=True)
    state = aws.state(backend)
    assert restored["changed"] and restored["restored_serial"] == 1
    assert state["serial"] == serial + 1 and state["outputs"]["name"]["value"] == "one"
    assert restored["versions"][0]["serial"] == serial + 1 and restored["versions"][0]["is_latest"]
    if kind == "dynamodb":
        assert aws.digest(backend) == hashlib.md5(aws.state_bytes(backend)).hexdigest()  # nosec - terraform's
    assert aws.lock(backend) is None, "the restore left its lock"

    accepted = unit(name="history", backend=backend, inputs={"name": "one"})
    assert accepted["changed"] is False, "terraform does not see the restored state as current"
    with pytest.raises(TerraformError, match="is stale"):
        unit(name="history", backend=backend, inputs={"name": "four"}, plan_file=plan_file)
    assert aws.state(backend)["outputs"]["name"]["value"] == "one"
    assert run_state_restore({"backend": backend, "version_id": first})["changed"] is False
    record_property("observed", "%s: listed serials 3, 2, 1; check mode wrote nothing; refused while an apply "
                    "held lock %s; restored serial 1 as serial %d%s; terraform planned no change; the plan saved "
                    "before the restore was refused as stale; a second restore changed nothing" % (
                        kind, info["ID"][:8], serial + 1, " with a fixed digest" if kind == "dynamodb" else ""))


def test_restoring_another_lineage_needs_force(unit, aws):
    backend = dict(aws.new_store("dynamodb"), key="rel/us-east-1/lineage/terraform.tfstate")
    unit(name="lineage", backend=backend, inputs={"name": "mine"})
    foreign = dict(aws.state(backend), lineage="00000000-0000-0000-0000-000000000000", serial=9)
    aws.s3.put_object(Bucket=backend["bucket"], Key=backend["key"], Body=json.dumps(foreign).encode())
    unit_version = aws.versions(backend)[-1]["VersionId"]  # the oldest: terraform's own
    foreign_version = aws.versions(backend)[0]["VersionId"]
    # current is now the foreign state; going back to terraform's own lineage is a lineage change
    with pytest.raises(InputError, match="has lineage .* the current state 00000000.*set force: true"):
        run_state_restore({"backend": backend, "version_id": unit_version})
    assert aws.versions(backend)[0]["VersionId"] == foreign_version
    forced = run_state_restore({"backend": backend, "version_id": unit_version, "force": True})
    assert forced["changed"] and aws.state(backend)["serial"] == 10
    assert unit(name="lineage", backend=backend, inputs={"name": "mine"})["changed"] is False


def test_unknown_version_is_one_clear_error(aws, reliability_env):
    backend = dict(aws.new_store("s3-lockfile"), key="rel/us-east-1/none/terraform.tfstate")
    with pytest.raises(InputError, match="has no version 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY; list the versions"):
        run_state_restore({"backend": backend, "version_id": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"})
