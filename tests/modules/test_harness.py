"""Unit tests of the module tooling (tools/tfdocs.py, tools/modtest.py): no terraform, no AWS."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import modtest  # noqa: E402
import tfdocs  # noqa: E402

VERSIONS = '''terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}
'''


def make_module(root: Path, name: str, example_settings: dict | None = None) -> Path:
    module = root / name
    (module / "examples" / "basic").mkdir(parents=True)
    (module / "versions.tf").write_text(VERSIONS)
    (module / "variables.tf").write_text('''variable "name" {
  type        = string
  description = "Queue name | with a pipe."
}

variable "rules" {
  type = list(object({
    id   = string
    days = optional(number, 7)
  }))
  description = <<-EOT
    Two lines
    of text.
  EOT
  default     = []
}
''')
    (module / "main.tf").write_text('''resource "aws_sqs_queue" "this" {
  #checkov:skip=CKV_AWS_27:Encryption is handled elsewhere for this test
  name = var.name
}

data "aws_iam_policy_document" "p" {}
''')
    (module / "outputs.tf").write_text('''output "arn" {
  description = "ARN."
  value       = aws_sqs_queue.this.arn
}
''')
    (module / "README.md").write_text("# %s\n\nA test module.\n" % name)
    (module / "examples" / "basic" / "main.tf").write_text('''variable "name" {
  type        = string
  description = "Name."
  default     = "x"
}

module "q" {
  source = "../.."
  name   = var.name
}
''')
    if example_settings is not None:
        (module / "examples" / "basic" / "localtest.json").write_text(json.dumps(example_settings))
    return module


def test_module_docs_tables(tmp_path):
    module = make_module(tmp_path, "queue")
    docs = tfdocs.module_docs(module)
    assert "| terraform | `>= 1.5` |" in docs
    assert "| aws | `>= 5.0, < 7.0` |" in docs
    assert "| `aws_sqs_queue.this` | resource |" in docs
    assert "| `aws_iam_policy_document.p` | data source |" in docs
    # required first; pipes escaped; heredoc descriptions kept on one row
    assert docs.index("`name`") < docs.index("`rules`")
    assert "Queue name \\| with a pipe." in docs
    assert "Two lines<br>of text." in docs
    assert "`list(object({id = string, days = optional(number, 7)}))` | `[]` | no |" in docs
    assert "| `arn` | ARN. | no |" in docs


def test_write_then_check_round_trip(tmp_path):
    make_module(tmp_path, "queue")
    assert tfdocs.main(["--check", str(tmp_path)]) == 1
    assert tfdocs.main(["--write", str(tmp_path)]) == 0
    assert tfdocs.main(["--check", str(tmp_path)]) == 0
    readme = (tmp_path / "queue" / "README.md").read_text()
    assert readme.startswith("# queue\n\nA test module.\n")  # prose above the markers is kept
    root = (tmp_path / "README.md").read_text()
    assert "| `CKV_AWS_27` | `queue` | `main.tf: aws_sqs_queue.this` | Encryption is handled elsewhere for this test |" in root
    # editing the code makes the README stale again
    with open(tmp_path / "queue" / "outputs.tf", "a") as handle:
        handle.write('\noutput "url" {\n  description = "URL."\n  value       = aws_sqs_queue.this.id\n}\n')
    assert tfdocs.out_of_sync(tmp_path) == [tmp_path / "queue" / "README.md"]


def test_plan_only_examples_listed_with_reason(tmp_path):
    make_module(tmp_path, "cache", {"mode": "plan", "reason": "emulator lacks replication groups"})
    sections = tfdocs.root_docs(tmp_path)
    assert "| `cache` | `examples/basic` | emulator lacks replication groups |" in sections["PLAN_ONLY"]
    assert "basic: plan" in sections["MODULE_INDEX"]


@pytest.mark.parametrize("settings, message", [
    ({"mode": "plan"}, "needs a 'reason'"),
    ({"mode": "maybe"}, "mode must be"),
    ({"mod": "plan"}, "unknown keys"),
])
def test_bad_localtest_settings(tmp_path, settings, message):
    module = make_module(tmp_path, "bad", settings)
    with pytest.raises(tfdocs.DocsError, match=message):
        tfdocs.example_settings(module / "examples" / "basic")


def test_provider_config_leaves_the_endpoint_to_the_environment():
    """No endpoints block (seconds per provider start); run_examples sets AWS_ENDPOINT_URL."""
    default, replica = modtest.provider_config(["replica", "replica"])["provider"]["aws"]
    assert "endpoints" not in default and "endpoints" not in replica
    assert default["skip_credentials_validation"] and default["s3_use_path_style"]
    assert replica["alias"] == "replica" and "alias" not in default


def diag(summary, address=None, filename=None, detail=""):
    body = {"severity": "error", "summary": summary, "detail": detail}
    if address:
        body["address"] = address
    if filename:
        body["range"] = {"filename": filename, "start": {"line": 3}}
    return {"type": "diagnostic", "diagnostic": body}


def hook(kind, addr, action="create", elapsed=None):
    body = {"resource": {"addr": addr}, "action": action}
    if elapsed is not None:
        body["elapsed_seconds"] = elapsed
    return {"type": kind, "hook": body}


@pytest.fixture
def two_examples(tmp_path):
    make_module(tmp_path, "queue")
    make_module(tmp_path, "db")
    return [modtest.Example(tmp_path / m / "examples" / "basic") for m in ("queue", "db")]


def test_summarize_attributes_errors(two_examples):
    queue, db = two_examples
    messages = [
        {"type": "planned_change", "change": {"resource": {"addr": "module.ex_queue__basic.aws_sqs_queue.this"}, "action": "create"}},
        {"type": "planned_change", "change": {"resource": {"addr": "module.ex_db__basic.data.x.y"}, "action": "read"}},
        hook("apply_start", "module.ex_queue__basic.module.q.data.aws_iam_policy_document.p", action="read"),
        hook("apply_start", "module.ex_queue__basic.module.q.aws_sqs_queue.this"),
        hook("apply_complete", "module.ex_queue__basic.module.q.aws_sqs_queue.this", elapsed=25),
        diag("boom", address="module.ex_db__basic.module.q.aws_sqs_queue.this"),
        diag("bad arg", filename="../terraform-modules/queue/main.tf"),
        diag("cannot delete gwt-db-1234", detail="still in use"),
        diag("provider misconfigured"),
    ]
    out = modtest.summarize("apply", 1, messages, "", None, two_examples, {"gwt-db-1234": db})
    assert out["errors"][db.key][0].startswith("[module.ex_db__basic.module.q.aws_sqs_queue.this] boom")
    assert "bad arg" in out["errors"][queue.key][0]
    assert "cannot delete gwt-db-1234" in out["errors"][db.key][1]
    assert out["general"] == ["provider misconfigured"]
    assert out["planned"] == {queue.key: ["create"]}  # data source reads are not planned changes
    assert out["slowest"] == [(25, "module.ex_queue__basic.module.q.aws_sqs_queue.this")]
    assert out["started_applying"]


def test_summarize_blames_in_flight_resources_of_a_stalled_run(two_examples):
    queue, db = two_examples
    messages = [
        hook("apply_start", "module.ex_queue__basic.module.q.aws_sqs_queue.this"),
        hook("apply_complete", "module.ex_queue__basic.module.q.aws_sqs_queue.this", elapsed=2),
        hook("apply_start", "module.ex_db__basic.module.q.aws_sqs_queue.this"),
        # after the interrupt: the in-flight resource errors out, terraform echoes the halt
        hook("apply_errored", "module.ex_db__basic.module.q.aws_sqs_queue.this"),
        diag("execution halted"),
    ]
    out = modtest.summarize("apply", 1, messages, "", ("no resource finished for 240s", 3), two_examples)
    assert out["errors"] == {db.key: [
        "terraform apply stopped (no resource finished for 240s) while still waiting on "
        "module.ex_db__basic.module.q.aws_sqs_queue.this"]}
    assert out["general"] == []


def test_nonzero_exit_without_diagnostics_is_reported(two_examples):
    out = modtest.summarize("destroy", 1, [], "Error: something odd", None, two_examples)
    assert out["general"] == ["terraform destroy exited 1: Error: something odd"]


@pytest.mark.terraform
@pytest.mark.aws_provider
def test_parallel_inits_link_the_cached_provider(tmp_path, terraform_bin, provider_mirror):
    """Once warm, parallel module inits use the cache entry and never reinstall into it.

    Without TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE (no lock file in a copied module),
    terraform >= 1.4 reinstalls the provider into the shared cache on every init, and two at
    once fail with "failed to create directory ...: file exists" (seen in CI on test_validate[alb]).
    """
    from concurrent.futures import ThreadPoolExecutor

    env = modtest.terraform_env(provider_mirror, tmp_path / "work", tmp_path / "cache")
    modtest.warm_plugin_cache(terraform_bin, env, tmp_path / "work")
    roots = []
    for index in range(4):
        root = tmp_path / ("m%d" % index)
        root.mkdir()
        (root / "versions.tf").write_text(VERSIONS)
        roots.append(root)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda root: modtest.init(terraform_bin, root, env, "-backend=false"), roots))
    for root, result in zip(roots, results):
        assert result.returncode == 0, "init of %s failed:\n%s" % (root.name, result.stderr)
        assert "from the shared cache directory" in result.stdout, result.stdout
        assert "Installing hashicorp/aws" not in result.stdout, result.stdout
