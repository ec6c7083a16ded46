#!/usr/bin/env python3
"""Extract community.general from the ``ansible`` package's wheel (PyPI), not from Galaxy.

The baseline "a playbook running community.general.terraform per unit" needs that
collection; the whole ``ansible`` package is ~400 MB installed, so only this one collection
is unpacked: python get_community_general.py WHEEL_DIR DEST (DEST gets ansible_collections/).
"""
from __future__ import annotations

import glob
import os
import sys
import zipfile

PREFIX = "ansible_collections/community/general/"


def main(wheel_dir, dest):
    marker = os.path.join(dest, PREFIX, "MANIFEST.json")
    if os.path.exists(marker):
        return 0
    wheels = sorted(glob.glob(os.path.join(wheel_dir, "ansible-*.whl")))
    if not wheels:
        print("no ansible wheel in %s (pip download ansible first)" % wheel_dir, file=sys.stderr)
        return 1
    with zipfile.ZipFile(wheels[-1]) as wheel:
        members = [m for m in wheel.namelist() if m.startswith(PREFIX)]
        wheel.extractall(dest, members)
    print("community.general from %s -> %s (%d files)" % (os.path.basename(wheels[-1]), dest, len(members)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
