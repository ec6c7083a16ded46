from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest

from ansible_collections.groundwork.terraform.plugins.module_utils import hcl
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import InputError

REPO = Path(__file__).resolve().parents[4]

VARIABLES_TF = '''
variable "region" {
  type        = string
  description = "AWS region"
}

variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "azs" {
  type     = list(string)
  default  = ["us-east-1a", "us-east-1b"]
  nullable = false
}

variable "tags" {
  type    = map(string)
  default = { "Team" = "platform", owner = "ops" }
}

variable "settings" {
  type = object({
    name    = string
    size    = optional(number, 3)
    enabled = bool
    rules   = list(object({ port = number }))
  })
}

variable "pair" {
  type = tuple([string, number])
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "optional_null" {
  type    = string
  default = null
}

variable "untyped" {}

variable "quoted" {
  type    = string
  default = "say \\"hi\\"\\n$${not_a_ref}"
}
'''

MAIN_TF = '''
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

provider "aws" {
  region = var.region
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags       = var.tags
}

resource "aws_subnet" "private" {
  count      = length(var.azs)
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
}

data "aws_availability_zones" "available" {}

resource "terraform_data" "marker" {
  input = var.region
}

locals {
  name_prefix = "net-${var.region}"
}

module "flow_logs" {
  source = "./modules/flow-logs"
  vpc_id = aws_vpc.this.id
}
'''

OUTPUTS_TF = '''
output "vpc_id" {
  description = "ID of the VPC"
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "subnet_cidrs" {
  value = [for s in aws_subnet.private : s.cidr_block]
}

output "subnets_by_az" {
  value = { for s in aws_subnet.private : s.availability_zone => s.id }
}

output "subnet_count" {
  value = length(aws_subnet.private)
}

output "settings" {
  value = var.settings
}

output "db_password" {
  value     = var.db_password
  sensitive = true
}

output "az_names" {
  value = data.aws_availability_zones.available.names
}

output "summary" {
  value = {
    vpc   = aws_vpc.this.id
    count = 2
  }
}

output "prefix" {
  value = local.name_prefix
}

output "flow_log_id" {
  value = module.flow_logs.id
}

output "has_azs" {
  value = length(var.azs) > 0
}

output "literal" {
  value = "fixed"
}

output "maybe" {
  value = var.cidr != "" ? tolist([var.cidr]) : []
}

output "tags" {
  value = tomap(var.tags)
}

output "opaque" {
  value = jsondecode(file("x.json")).thing
}
'''

FLOW_LOGS_TF = '''
variable "vpc_id" {
  type = string
}

resource "aws_flow_log" "this" {
  vpc_id       = var.vpc_id
  traffic_type = "ALL"
}

output "id" {
  value = aws_flow_log.this.id
}
'''


def write_module(root, files):
    for name, text in files.items():
        target = Path(root) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return str(root)


@pytest.fixture
def network(tmp_path):
    return write_module(tmp_path / "network", {
        "variables.tf": VARIABLES_TF, "main.tf": MAIN_TF, "outputs.tf": OUTPUTS_TF,
        "modules/flow-logs/main.tf": FLOW_LOGS_TF,
    })


@pytest.fixture(autouse=True)
def fresh_cache():
    hcl.clear_cache()
    yield
    hcl.clear_cache()


@pytest.mark.parametrize("name, type_, has_default, default, sensitive, nullable", [
    ("region", "string", False, None, False, True),
    ("cidr", "string", True, "10.0.0.0/16", False, True),
    ("azs", "list(string)", True, ["us-east-1a", "us-east-1b"], False, False),
    ("tags", "map(string)", True, {"Team": "platform", "owner": "ops"}, False, True),
    ("settings", "object({name = string, size = optional(number, 3), enabled = bool, "
                 "rules = list(object({port = number}))})", False, None, False, True),
    ("pair", "tuple([string, number])", False, None, False, True),
    ("db_password", "string", False, None, True, True),
    ("optional_null", "string", True, None, False, True),
    ("untyped", None, False, None, False, True),
    ("quoted", "string", True, 'say "hi"\n${not_a_ref}', False, True),
])
def test_variables_are_normalised(network, name, type_, has_default, default, sensitive, nullable):
    var = hcl.read_module(network).variables[name]
    assert (var.name, var.type, var.has_default, var.default, var.sensitive, var.nullable) == (
        name, type_, has_default, default, sensitive, nullable)


def test_module_summary(network):
    info = hcl.read_module(network)
    assert info.path == network
    assert info.files == ["main.tf", "outputs.tf", "variables.tf"]
    assert info.variables["region"].description == "AWS region"
    assert info.required_variables == ["db_password", "pair", "region", "settings", "untyped"]
    assert info.required_providers == {"aws": "hashicorp/aws", "random": "hashicorp/random"}
    assert info.required_version == ">= 1.5.0"
    assert info.provider_blocks == {"aws"}
    assert info.resource_providers == {"aws"}  # terraform_data is built in, not a provider
    assert info.child_modules == {"flow_logs": "./modules/flow-logs"}
    assert "aws_vpc.this" in info.resources and "data.aws_availability_zones.available" in info.resources


def test_outputs_keep_raw_expressions(network):
    outputs = hcl.read_module(network).outputs
    assert outputs["vpc_id"].value_expr == "aws_vpc.this.id"
    assert outputs["vpc_id"].description == "ID of the VPC"
    assert outputs["private_subnet_ids"].value_expr == "aws_subnet.private[*].id"
    assert outputs["literal"].value_expr == '"fixed"'
    assert outputs["db_password"].sensitive is True
    assert outputs["vpc_id"].sensitive is False
    assert outputs["summary"].value_expr == "{vpc = aws_vpc.this.id, count = 2}"


def test_mock_outputs_are_typed_from_the_expressions(network):
    mocks = hcl.mock_outputs(hcl.read_module(network), "network")
    # shaped like what they stand for (mock_shapes; tested in test_mock_shapes.py)
    assert re.match(r"^vpc-00000000[0-9a-f]{9}$", mocks.pop("vpc_id"))
    assert re.match(r"^subnet-00000000[0-9a-f]{9}$", mocks.pop("private_subnet_ids")[0])
    assert mocks.pop("subnet_cidrs") == ["10.0.0.0/16"]
    assert mocks == {
        "subnets_by_az": {},
        "subnet_count": 0,
        "settings": {"name": "mock-network-settings-name", "size": 0, "enabled": False,
                     "rules": []},
        "db_password": "mock-network-db_password",
        "az_names": ["mock-network-az_names"],
        "summary": {"vpc": "mock-network-summary-vpc", "count": 2},
        "prefix": "mock-network-prefix",
        "flow_log_id": "mock-network-flow_log_id",
        "has_azs": False,
        "literal": "fixed",
        "maybe": ["mock-network-maybe-0"],
        "tags": {},
        "opaque": "mock-network-opaque",
    }


@pytest.mark.parametrize("type_str, expected", [
    ("string", "mock-x"),
    ("number", 0),
    ("bool", False),
    ("any", "mock-x"),
    (None, "mock-x"),
    ("list(string)", []),
    ("set(number)", []),
    ("map(any)", {}),
    ("tuple([string, number, bool])", ["mock-x-0", 0, False]),
    ("object({a = string, b = number})", {"a": "mock-x-a", "b": 0}),
    ('object({"quoted key" = bool, nested = object({c = list(string)})})',
     {"quoted key": False, "nested": {"c": []}}),
    ('object({a = optional(string, "dflt"), b = optional(map(string), {})})', {"a": "mock-x-a", "b": {}}),
    ("${list(string)}", []),
])
def test_placeholder_for_type(type_str, expected):
    assert hcl.placeholder_for_type(type_str, "x") == expected


@pytest.mark.parametrize("type_str, expected", [
    ("string", ("string",)),
    (None, ("any",)),
    ("list(number)", ("list", ("number",))),
    ("map(set(bool))", ("map", ("set", ("bool",)))),
    ("tuple([string, number])", ("tuple", [("string",), ("number",)])),
    ('object({a = string, "b c" = optional(number, 1), d = optional(list(string))})',
     ("object", [("a", ("string",)), ("b c", ("number",)), ("d", ("list", ("string",)))])),
    ("${map(string)}", ("map", ("string",))),
    ("  list(any)  ", ("list", ("any",))),
])
def test_parse_type_gives_the_type_tree(type_str, expected):
    assert hcl.parse_type(type_str) == expected


@pytest.mark.parametrize("type_str", ["strin", "list(string", "object({a string})", "list(string) extra", "", "map()"])
def test_parse_type_rejects_text_that_is_not_a_type(type_str):
    with pytest.raises(InputError, match="is not a Terraform type expression"):
        hcl.parse_type(type_str)


def test_input_types_parse_with_the_public_parser():
    from ansible_collections.groundwork.terraform.plugins.module_utils import input_types
    assert input_types.parse_type("object({a = list(string)})") == hcl.parse_type("object({a = list(string)})")
    source = Path(input_types.__file__).read_text()
    assert "hcl._" not in source  # no reaching into hcl's private tokenizer any more


def test_placeholder_without_a_name_is_mock():
    assert hcl.placeholder_for_type("string") == "mock"
    assert hcl.placeholder_for_type(None) == "mock"


@pytest.mark.parametrize("type_str", ["strin", "list(string", "object({a string})", "list(string) extra"])
def test_placeholder_rejects_text_that_is_not_a_type(type_str):
    with pytest.raises(InputError, match="is not a Terraform type expression"):
        hcl.placeholder_for_type(type_str)


def test_uses_provider_descends_into_local_child_modules(tmp_path):
    root = write_module(tmp_path / "wrapper", {
        "main.tf": '''
            resource "terraform_data" "x" {}
            module "net" {
              source = "./child"
            }
            module "remote" {
              source = "terraform-aws-modules/vpc/aws"
            }
        ''',
        "child/main.tf": '''
            module "grandchild" {
              source = "../grandchild"
            }
        ''',
        "grandchild/main.tf": 'data "aws_caller_identity" "me" {}\n',
    })
    info = hcl.read_module(root)
    assert info.resource_providers == set() and info.required_providers == {}
    assert info.uses_provider("aws") is True
    assert info.uses_provider("random") is False
    assert info.uses_provider("terraform") is False


def test_uses_provider_survives_modules_that_include_each_other(tmp_path):
    root = write_module(tmp_path / "a", {
        "main.tf": 'module "b" {\n  source = "../b"\n}\n',
    })
    write_module(tmp_path / "b", {"main.tf": 'module "a" {\n  source = "../a"\n}\n'})
    assert hcl.read_module(root).uses_provider("aws") is False


def test_provider_meta_argument_check_blocks_and_version_only_requirement(tmp_path):
    root = write_module(tmp_path / "m", {"main.tf": '''
        terraform {
          required_providers {
            google = "~> 4.0"
          }
        }
        resource "custom_thing" "x" {
          provider = myaws.west
        }
        check "health" {
          data "http" "probe" {
            url = "https://example.com"
          }
          assert {
            condition     = data.http.probe.status_code == 200
            error_message = "down"
          }
        }
    '''})
    info = hcl.read_module(root)
    assert info.required_providers == {"google": "hashicorp/google"}
    assert info.resource_providers == {"myaws", "http"}
    assert info.uses_provider("google") and info.uses_provider("myaws")


def test_missing_child_module_directory_is_named(tmp_path):
    root = write_module(tmp_path / "m", {"main.tf": 'module "x" {\n  source = "./nope"\n}\n'})
    with pytest.raises(InputError, match=r'module "x" in .* has source "\./nope", but .*nope is not a directory'):
        hcl.read_module(root).uses_provider("aws")


@pytest.mark.parametrize("text, line, fragment", [
    ('variable "x" {\n  type = string\n', 3, "unexpected end of file"),
    ('variable "x" {\n  default = \n}\n', 2, "line 2, column 13"),
    ('locals {\n  a = 1\n  b = @\n}\n', 3, "line 3, column 7"),
])
def test_syntax_error_names_file_and_line(tmp_path, text, line, fragment):
    root = write_module(tmp_path / "broken", {"ok.tf": 'variable "fine" {}\n', "bad.tf": text})
    with pytest.raises(InputError) as caught:
        hcl.read_module(root)
    error = caught.value
    assert error.message.startswith("HCL syntax error in %s line %d" % (os.path.join(root, "bad.tf"), line))
    assert fragment in error.message
    assert error.details["file"].endswith("bad.tf") and error.details["line"] == line
    assert "\n" not in error.message


def test_missing_directory_and_empty_directory(tmp_path):
    with pytest.raises(InputError, match=r"Terraform module directory .*/absent does not exist; check unit_module"):
        hcl.read_module(str(tmp_path / "absent"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("not terraform")
    with pytest.raises(InputError, match=r"holds no \*\.tf or \*\.tf\.json files"):
        hcl.read_module(str(tmp_path / "empty"))


def test_duplicate_declaration_is_refused_with_both_places(tmp_path):
    root = write_module(tmp_path / "m", {"a.tf": 'variable "x" {}\n', "b.tf": '\n\nvariable "x" {}\n'})
    with pytest.raises(InputError, match=r'duplicate variable "x" in .*b\.tf line 3 \(first declared in .*a\.tf\)'):
        hcl.read_module(root)


def test_override_files_merge_into_declarations(tmp_path):
    root = write_module(tmp_path / "m", {
        "main.tf": 'variable "x" {\n  type = string\n}\n',
        "main_override.tf": 'variable "x" {\n  default = "o"\n}\n',
    })
    var = hcl.read_module(root).variables["x"]
    assert (var.type, var.has_default, var.default) == ("string", True, "o")


def test_tf_json_files_read_like_hcl(tmp_path):
    root = tmp_path / "j"
    root.mkdir()
    (root / "main.tf.json").write_text(json.dumps({
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
        "variable": {"names": {"type": "list(string)", "default": ["a"]}, "secret": {"sensitive": True}},
        "resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}},
        "output": {"bucket_arn": {"value": "${aws_s3_bucket.b.arn}"},
                   "label": {"value": "bucket-${var.names[0]}"}},
    }))
    info = hcl.read_module(str(root))
    assert info.variables["names"].type == "list(string)"
    assert info.variables["names"].default == ["a"]
    assert info.variables["secret"].sensitive is True
    assert info.required_variables == ["secret"]
    assert info.required_providers == {"aws": "hashicorp/aws"}
    assert info.resource_providers == {"aws"}
    assert info.outputs["bucket_arn"].value_expr == "aws_s3_bucket.b.arn"
    assert hcl.mock_outputs(info, "u") == {"bucket_arn": "arn:aws:s3:::mock-u-bucket-arn", "label": "mock-u-label"}


def test_read_module_caches_until_a_file_changes(tmp_path):
    root = write_module(tmp_path / "m", {"main.tf": 'variable "a" {}\n'})
    first = hcl.read_module(root)
    assert hcl.read_module(root) is first
    (Path(root) / "extra.tf").write_text('variable "b" {}\n')
    second = hcl.read_module(root)
    assert second is not first and sorted(second.variables) == ["a", "b"]
    stamp = os.stat(Path(root) / "main.tf").st_mtime_ns
    (Path(root) / "main.tf").write_text('variable "c" {}\n')
    os.utime(Path(root) / "main.tf", ns=(stamp + 10**9, stamp + 10**9))
    assert sorted(hcl.read_module(root).variables) == ["b", "c"]


def _repo_modules():
    base = REPO / "terraform-modules"
    if not base.is_dir():
        return []
    # .terraform/ holds downloaded copies of modules: not ours to check.
    return sorted({str(p.parent.relative_to(REPO)) for p in base.rglob("*.tf")
                   if ".terraform" not in p.relative_to(base).parts})


@pytest.mark.parametrize("module_dir", _repo_modules() or [None])
def test_every_repo_terraform_module_parses(module_dir):
    if module_dir is None:
        pytest.skip("terraform-modules/ holds no *.tf files yet")
    info = hcl.read_module(str(REPO / module_dir))
    assert info.files
    hcl.mock_outputs(info, "check")  # never raises, whatever the expressions are


def test_duplicate_in_one_file_names_the_later_line(tmp_path):
    root = write_module(tmp_path / "m", {"a.tf": 'output "o" {\n  value = 1\n}\noutput "o" {\n  value = 2\n}\n'})
    with pytest.raises(InputError, match=r'duplicate output "o" in .*a\.tf line 4 '):
        hcl.read_module(root)


def test_modules_read_from_threads_keep_lists_maps_and_null(tmp_path, monkeypatch):
    """python-hcl2 8 shares one serialization context between calls; threads interleaving
    without care leave it stuck and every later read returns lists, maps and null as HCL text
    (seen in CI: the module tests read modules from a thread pool)."""
    monkeypatch.setenv("GROUNDWORK_HCL_CACHE_DIR", "")  # every read parses: 48 modules of one text
    from concurrent.futures import ThreadPoolExecutor
    block = ('variable "azs_%d" {\n  default = ["a", "b"]\n}\nvariable "tags_%d" {\n  default = {x = [1, 2]}\n}\n'
             'variable "none_%d" {\n  default = null\n}\noutput "o_%d" {\n'
             '  value = "${var.azs_%d[0]}-${join(",", [1, 2])}-${[for x in [1, 2]: x][0]}"\n}\n')
    text = "".join(block % ((k,) * 5) for k in range(4))
    dirs = []
    for index in range(48):
        directory = tmp_path / ("m%d" % index)
        directory.mkdir()
        (directory / "variables.tf").write_text(text)
        dirs.append(directory)

    def defaults(directory):
        variables = hcl.read_module(str(directory)).variables
        return sorted((name.split("_", 1)[0], repr(v.default)) for name, v in variables.items())

    expected = sorted([("azs", "['a', 'b']"), ("none", "None"), ("tags", "{'x': [1, 2]}")] * 4)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(defaults, dirs))
    assert all(r == expected for r in results), [r for r in results if r != expected][:1]
    hcl.clear_cache()
    assert defaults(dirs[0]) == expected  # and nothing left stuck for the next reader
