#!/usr/bin/env python3
"""Find the terraform binary and an AWS provider mirror for the tests; write them as JSON.

The collection itself never assumes a mirror path: this is test tooling that looks in the
places machine images and users commonly lay mirrors out, or takes GROUNDWORK_PROVIDER_MIRROR.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)
AWS_PROVIDER_DIR = "registry.terraform.io/hashicorp/aws"


def find_terraform() -> str | None:
    for name in ("terraform", "tofu"):
        found = shutil.which(name)
        if found:
            return found
    return None


def terraform_version(binary: str) -> str | None:
    try:
        out = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=60).stdout
        return json.loads(out).get("terraform_version")
    except (OSError, ValueError, subprocess.SubprocessError):
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=60).stdout
        match = re.search(r"v(\d+\.\d+\.\d+)", out)
        return match.group(1) if match else None


def find_mirror() -> dict | None:
    candidates = [os.environ.get("GROUNDWORK_PROVIDER_MIRROR", "")] + list(MIRROR_CANDIDATES)
    for candidate in filter(None, candidates):
        root = Path(candidate).expanduser()
        versions = sorted((root / AWS_PROVIDER_DIR).glob("*/*/terraform-provider-aws*"))
        if versions:
            version = versions[-1].parent.parent.name
            return {"path": str(root), "aws_version": version}
    return None


def main() -> int:
    binary = find_terraform()
    info = {
        "terraform": binary,
        "terraform_version": terraform_version(binary) if binary else None,
        "provider_mirror": find_mirror(),
    }
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    text = json.dumps(info, indent=2)
    if out:
        out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
