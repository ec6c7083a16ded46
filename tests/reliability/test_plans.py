"""Plans that must never be applied: deletions and replacements while allow_destroy is false.

(A stale saved plan is refused by tests/integration/test_unit.py; the restore test shows a plan
saved before a restore stays refused.)
"""
from __future__ import annotations

import pytest

import reliability_kit as kit
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import TerraformError

pytestmark = [pytest.mark.terraform]


@pytest.mark.scenario("P2")
def test_deleting_or_replacing_plans_are_refused_before_apply_when_destroy_is_not_allowed(unit, aws, tmp_path,
                                                                                         record_property):
    backend = dict(aws.new_store("s3-lockfile"), key="rel/us-east-1/guarded/terraform.tfstate")
    options = dict(name="guarded", backend=backend, allow_destroy=False)
    unit(inputs={"name": "one", "delay": "1"}, **options)
    before = aws.state_bytes(backend)
    cases = {
        # a new name re-creates terraform_data.latency (triggers_replace): a replacement
        "replace": ({"name": "two", "delay": "1"}, {}, "terraform_data.latency[0]"),
        # delay 0 drops it (count 0): a deletion
        "delete": ({"name": "one", "delay": "0"}, {}, "terraform_data.latency[0]"),
        # an explicit -replace
        "forced": ({"name": "one", "delay": "1"}, {"replace": ["terraform_data.this"]}, "terraform_data.this"),
    }
    seen = []
    for case, (inputs, extra, address) in cases.items():
        with pytest.raises(TerraformError) as refused:
            unit(inputs=inputs, **dict(options, **extra))
        message = refused.value.message
        assert "deletes or replaces %s while allow_destroy is false; nothing was applied" % address in message, case
        actions = [rc["actions"] for rc in refused.value.details["plan"]["resource_changes"]
                   if rc["address"] == address]
        assert actions and "delete" in actions[0], (case, actions)  # from the plan's JSON actions
        seen.append("%s: %s %s" % (case, address, "/".join(actions[0])))
        assert aws.state_bytes(backend) == before, "%s: the state changed" % case
    # A saved plan that replaces is refused the same way when applied.
    plan_file = str(tmp_path / "replace.tfplan")
    planned = unit(inputs={"name": "two", "delay": "1"}, state="planned", plan_file=plan_file,
                   **dict(options, allow_destroy=True))
    assert planned["changed"]
    with pytest.raises(TerraformError, match="deletes or replaces terraform_data.latency"):
        unit(inputs={"name": "two", "delay": "1"}, plan_file=plan_file, **options)
    assert aws.state_bytes(backend) == before
    record_property("observed", "refused before apply: " + "; ".join(seen) + "; a saved replacing plan too")
