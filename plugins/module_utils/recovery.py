# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What terraform's lock, credential and digest errors say, read into recovery instructions."""
from __future__ import annotations

import calendar
import re
import time

_LOCK_FIELDS = ("ID", "Path", "Operation", "Who", "Version", "Created")


def parse_lock_info(text):
    info = {}
    for field in _LOCK_FIELDS:
        match = re.search(r"^\s*%s:\s*(.+?)\s*$" % field, text, re.MULTILINE)
        if match:
            info[field.lower()] = match.group(1)
    return info


def lock_age(created, now=None):
    """How long ago a lock was taken, from terraform's Created text ("2026-01-05 10:00:00.123 +0000 UTC")."""
    match = re.search(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?",
                      created or "")
    if not match:
        return None
    fields = [int(part) for part in match.groups()[:6]]
    offset = match.group(7) or "Z"
    seconds = calendar.timegm(tuple(fields) + (0, 0, 0))
    if offset != "Z":
        sign = -1 if offset[0] == "+" else 1
        digits = offset[1:].replace(":", "")
        seconds += sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return max(0, int((time.time() if now is None else now) - seconds))


def format_age(seconds):
    if seconds is None:
        return "unknown"
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    if seconds < 86400:
        return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)
    return "%dd%02dh" % (seconds // 86400, seconds % 86400 // 3600)


def duration_seconds(text):
    """Seconds of a terraform duration ("90s", "5m", "1h30m"); 0 for none or unreadable text."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(text or ""))
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(number) * scale[unit] for number, unit in parts)


def unlock_command(unit, lock_id):
    """The command that releases a unit's stale lock (stack_unit fills in the inventory)."""
    return "ansible-playbook groundwork.terraform.unlock -i <inventory> -e unit=%s -e lock_id=%s" % (unit, lock_id)


CREDENTIALS_REFUSED = re.compile(
    r"No valid credential sources found|InvalidClientTokenId|InvalidAccessKeyId|SignatureDoesNotMatch|"
    r"ExpiredToken|security token included in the request is (?:invalid|expired)")
_DIGEST_FIELDS = {"bucket": r"Bucket:\s*(\S*)", "key": r"Key:\s*(\S*)",
                  "calculated": r"Calculated checksum:[ \t]*(\S*)", "stored": r"Stored checksum:[ \t]*(\S*)"}


def parse_digest_mismatch(text):
    """Bucket, key and both checksums of terraform's "state data in S3 does not have the expected content"."""
    if "does not have the expected content" not in (text or ""):
        return None
    found = {}
    for name, pattern in _DIGEST_FIELDS.items():
        match = re.search(pattern, text)
        found[name] = match.group(1) if match else ""
    return found
