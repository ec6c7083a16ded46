"""The scenarios of issue 7, each with its expected outcome and the tests that demonstrate it.

Tests in tests/reliability claim their scenarios with ``@pytest.mark.scenario("ID", ...)``;
scenarios another suite already demonstrates name those tests here (``also``), by node id or
node id prefix, so nothing is tested twice. conftest.py turns the outcomes of a run into
docs/RELIABILITY.md. ``python tests/reliability/scenarios.py --node-ids`` prints the node ids
a complete reliability run must include besides tests/reliability (``make reliability``).
"""
from __future__ import annotations

import sys
from collections import namedtuple

Scenario = namedtuple("Scenario", "id area title expected also")

UNIT = "tests/integration/test_unit.py::"
STACK = "tests/integration/test_stack.py::"
BACKEND = "tests/integration/test_state_backend_aws.py::"

SCENARIOS = [
    # ------------------------------------------------------------------ bootstrap and backend
    Scenario("B1", "Bootstrap and backend", "Parallel bootstraps of one new bucket and lock table",
             "none fails, every setting present afterwards, one backend_config (moto does not serialise "
             "CreateBucket, so 'exactly one creates' is proven with AWS's real loser answers instead)",
             [BACKEND + "test_parallel_runs_creating_one_backend_all_succeed",
              BACKEND + "test_losing_the_creation_race_converges"]),
    Scenario("B2", "Bootstrap and backend", "State bucket exists in another region than configured",
             "fails before init naming both regions; no second bucket, no other call",
             [BACKEND + "test_bucket_in_another_region_fails_naming_both_and_creates_nothing"]),
    Scenario("B3", "Bootstrap and backend", "HeadBucket answers 403 (bucket owned by someone else)",
             "'access denied', never treated as missing (no create attempted)",
             [BACKEND + "test_access_denied_on_head_bucket_is_never_treated_as_missing"]),
    Scenario("B4", "Bootstrap and backend", "Bucket with an existing custom policy",
             "TLS statement merged, user statements kept as they were, no duplicate on re-runs",
             [BACKEND + "test_tls_statement_merges_into_an_existing_user_policy"]),
    Scenario("B5", "Bootstrap and backend", "No lock configured (neither lock table nor use_lockfile)",
             "refused unless allow_unlocked: true",
             [UNIT + "test_bad_input_fails_clearly_before_terraform[options6-InputError-has no lock]"]),
    # ------------------------------------------------------------------ locking and consistency
    Scenario("L1", "Locking", "Two applies of one unit at once (DynamoDB lock and S3 use_lockfile)",
             "one holds the lock; the other fails naming lock ID, holder, operation, since when and age",
             [UNIT + "test_lock_item_taken_during_apply_and_second_apply_names_holder"]),
    Scenario("L2", "Locking", "lock_timeout while another run holds the lock, for plan and for apply (both lock kinds)",
             "the second run waits, then succeeds; waiting time asserted",
             [UNIT + "test_lock_item_taken_during_apply_and_second_apply_names_holder"]),
    Scenario("L3", "Locking", "force-unlock with a wrong lock ID, then the right one (both lock kinds)",
             "wrong ID refused and the lock kept; right ID clears it; never automatic",
             [UNIT + "test_force_unlock_needs_the_right_id"]),
    Scenario("L4", "Locking", "kill -9 of terraform mid-apply (both lock kinds)",
             "the killed run says so; the next run reports the stale lock with holder, age and the exact "
             "recovery command; that command (unlock.yml / force_unlock) clears it; state intact; re-run converges",
             []),
    Scenario("L5", "Locking", "State object edited behind terraform's back (digest mismatch, DynamoDB)",
             "one-line error naming bucket, key and both checksums; nothing overwritten; restore recovers",
             []),
    Scenario("L6", "Locking", "State object deleted while its DynamoDB digest remains",
             "one-line error naming bucket, key and the stored checksum; nothing written; restore recovers",
             []),
    Scenario("L7", "Locking", "The answer to terraform's lock request is lost on the network (DynamoDB)",
             "terraform reports its own lock as held and leaves it (hashicorp/terraform#16630); the unit says the "
             "lock was taken on this host during the command; releasing it as printed recovers", []),
    # ------------------------------------------------------------------ interruption and partial failure
    Scenario("I1", "Interruption", "SIGINT to ansible-playbook's process group (Ctrl-C) during an apply of a stack",
             "terraform gets exactly one interrupt, saves state, releases the lock; re-run converges",
             [UNIT + "test_sigterm_is_forwarded_once_so_terraform_saves_state_and_unlocks"]),
    Scenario("I2", "Interruption", "SIGTERM to ansible-playbook only (an AWX cancel) during an apply of a stack",
             "terraform gets exactly one signal, saves state, releases the lock; re-run converges",
             []),
    Scenario("I3", "Interruption", "State upload fails at the end of an apply (endpoint stopped)",
             "errored.tfstate kept 0600 and never printed; unit blocked until recovered; the documented recovery "
             "(force-unlock, state push) run as printed restores it; re-run has nothing to do",
             [UNIT + "test_errored_state_blocks_the_unit_with_recovery_command"]),
    Scenario("I4", "Interruption", "A unit fails mid-graph",
             "dependents skipped and listed, independents finish; re-run with the limit file applies only the rest",
             [STACK + "test_a_failed_unit_stops_only_its_dependents",
              STACK + "test_rerun_with_the_limit_file_resumes_the_unfinished_part"]),
    Scenario("I5", "Interruption", "A destroy fails part-way",
             "units it blocks are skipped, the rest destroyed; the re-run finishes the destroy",
             []),
    # ------------------------------------------------------------------ plans
    Scenario("P1", "Plans", "Saved plan stale because the state changed since",
             "refused ('stale'), nothing applied: never falls back to an unsaved apply",
             [UNIT + "test_saved_plan_is_applied_exactly_and_stale_plan_refused"]),
    Scenario("P2", "Plans", "Plan deletes or replaces resources while allow_destroy is false",
             "refused before apply, from the plan's JSON actions (explicit -replace, a trigger, a count "
             "going to 0); state unchanged; unset unit_allow_destroy means true",
             [UNIT + "test_allow_destroy_false_refuses_replacement"]),
    # ------------------------------------------------------------------ bad input and credentials
    Scenario("X1", "Bad input", "Cycle, unknown dependency, unknown module",
             "a specific error each, before any terraform runs",
             [STACK + "test_refused_before_any_terraform_runs[cycle]",
              STACK + "test_refused_before_any_terraform_runs[unknown-dependency]",
              STACK + "test_refused_before_any_terraform_runs[unknown-module]"]),
    Scenario("X2", "Bad input", "Wrong input types (dict for a string, text for a number, nonsense bool)",
             "each named (unit, input, expected type, value) before any terraform runs", []),
    Scenario("X3", "Bad input", "Malformed YAML inventory", "the file and line named, nothing runs", []),
    Scenario("X4", "Bad input", "Missing backend settings (no tf_state_bucket; no env_name for the key)",
             "a specific error before any terraform runs", []),
    Scenario("X5", "Bad input", "Backend key with '//' or a leading '/'",
             "a specific error before any terraform runs",
             [UNIT + "test_bad_input_fails_clearly_before_terraform[options4-InputError-not a valid S3 state key]",
              UNIT + "test_bad_input_fails_clearly_before_terraform[options5-InputError-not a valid S3 state key]"]),
    Scenario("X6", "Bad input", "\"yes\"/\"True\" booleans; nonsense booleans",
             "normalised (settings and bool inputs); nonsense rejected naming the variable", []),
    Scenario("X7", "Credentials", "AWS credentials missing", "one clear line before any terraform runs", []),
    Scenario("X8", "Credentials", "AWS credentials wrong (endpoint enforcing authentication)",
             "one clear line before any terraform runs", []),
    # ------------------------------------------------------------------ secrets
    Scenario("S1", "Secrets", "A sensitive input and output through every run and fault of this suite",
             "absent from stdout, -vvv, logs, the process list, failure messages, plan JSON, run records and "
             "files other users can read",
             [UNIT + "test_sensitive_values_stay_out_of_output_logs_and_process_list"]),
    Scenario("S2", "Secrets", "Backend credentials", "never on a command line (no -backend-config, no key in argv)",
             []),
    Scenario("S3", "Secrets", "State bucket access without TLS or without credentials",
             "the bucket policy denies non-TLS requests to everyone, public access blocks on, no public ACL or "
             "Allow statement (checked through the API)",
             [BACKEND + "test_new_backend_is_secure_by_default_and_idempotent"]),
    # ------------------------------------------------------------------ restore
    Scenario("R1", "Restore", "List the versions of a unit's state",
             "newest first, with version ID, time, size, serial, lineage, resources", []),
    Scenario("R2", "Restore", "Restore an earlier version (module and restore.yml)",
             "check mode and diff change nothing; refused while the lock is held; the version becomes current "
             "with a higher serial and a fixed digest; terraform accepts it; a stale saved plan stays refused", []),
]


def node_ids():
    """Node ids to run, parameters dropped (a whole parametrized test runs; ids hold spaces)."""
    return sorted({node.split("[", 1)[0] for scenario in SCENARIOS for node in scenario.also})


if __name__ == "__main__":
    if sys.argv[1:] == ["--node-ids"]:
        print("\n".join(node_ids()))
    else:
        for scenario in SCENARIOS:
            print("%-3s %s" % (scenario.id, scenario.title))
