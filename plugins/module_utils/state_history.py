# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Earlier versions of a unit's state in its versioned bucket: list them, restore one.

A restore is what an operator would otherwise do by hand, with the parts people forget:

* it takes the unit's state lock itself (DynamoDB item and/or S3 ``.tflock``, as terraform
  would), so it refuses while a run holds it and no run can start half-way through;
* it writes the chosen version's content as the new current object with the serial bumped
  past the current one: terraform sees a newer state, and a plan saved against any older
  state is stale (refused) instead of silently applying over the restored one;
* it rewrites the DynamoDB ``<bucket>/<key>-md5`` digest item to the new object's MD5, or
  terraform would refuse the restored state as "edited behind its back".
"""
from __future__ import annotations

import getpass
import hashlib
import json
import socket
import time
import uuid

from ansible_collections.groundwork.terraform.plugins.module_utils.aws import AwsConnection, aws_error, error_code
from ansible_collections.groundwork.terraform.plugins.module_utils.errors import (
    GroundworkError, InputError, LockHeldError)
from ansible_collections.groundwork.terraform.plugins.module_utils.remote_state import (
    StateError, _customer_key_args, connection_for, state_key)

_MISSING = ("NoSuchKey", "404", "NotFound", "NoSuchVersion")
LOCK_OPERATION = "OperationTypeStateRestore"


def _md5(data):
    return hashlib.md5(data).hexdigest()  # nosec - terraform's own digest algorithm, not security


def _where(backend):
    return "s3://%s/%s" % (backend["bucket"], backend["key"])


def parse_state(body, where):
    """A state's JSON (version 4) from bytes; StateError otherwise."""
    try:
        state = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise StateError("%s is not a terraform state (not JSON: %s)" % (where, exc))
    if not isinstance(state, dict) or state.get("version") != 4 or "lineage" not in state:
        raise StateError("%s is not a terraform state of format version 4 (with a lineage)" % where)
    return state


def summarize_state(state):
    """The facts of a state people choose a version by."""
    resources = [r for r in state.get("resources") or [] if r.get("mode") == "managed"]
    return {"serial": state.get("serial"), "lineage": state.get("lineage"),
            "terraform_version": state.get("terraform_version"),
            "resources": sum(len(r.get("instances") or []) for r in resources),
            "outputs": sorted((state.get("outputs") or {}).keys())}


def render_state(state):
    """Bytes of a state as terraform writes them (2-space JSON, trailing newline)."""
    return (json.dumps(state, indent=2) + "\n").encode("utf-8")


def same_content(left, right):
    """Whether two states hold the same thing, whatever their serials."""
    return _without_serial(left) == _without_serial(right)


def _without_serial(state):
    return {k: v for k, v in state.items() if k != "serial"}


def validate_backend(backend):
    if not isinstance(backend, dict):
        raise InputError("backend must be a dict like state_backend's backend_config plus key", option="backend")
    missing = [name for name in ("bucket", "key") if not backend.get(name)]
    if missing:
        raise InputError("backend needs %s (state_backend's backend_config plus the unit's key)"
                         % " and ".join(missing), option="backend")
    key = backend["key"]
    if key.startswith("/") or "//" in key:
        raise InputError("backend key %r must not start with '/' or contain '//'" % key, option="backend")


class StateHistory:
    """One unit's state object: its versions, its lock, its digest."""

    def __init__(self, backend, connection=None, workspace=None, who=None):
        validate_backend(backend)
        self.backend = dict(backend)
        self.backend["key"] = state_key(backend["key"], workspace, backend.get("workspace_key_prefix"))
        self.bucket, self.key = self.backend["bucket"], self.backend["key"]
        self.where = _where(self.backend)
        self.connection = connection or connection_for(self.backend)
        self.sse_c = _customer_key_args(self.backend)
        self.table = self.backend.get("dynamodb_table")
        self.lockfile = bool(self.backend.get("use_lockfile"))
        self.who = who or "%s@%s" % (_user(), socket.gethostname())
        self._dynamodb = None

    # --- clients ---------------------------------------------------------------------

    @property
    def s3(self):
        return self.connection.client("s3", region=self.backend.get("region"))

    @property
    def dynamodb(self):
        if self._dynamodb is None:
            endpoints = self.backend.get("endpoints") or {}
            endpoint = endpoints.get("dynamodb") or self.backend.get("dynamodb_endpoint") or self.connection.endpoint_url
            conn = self.connection
            if endpoint != conn.endpoint_url:
                conn = AwsConnection(region=conn.region, profile=conn.profile, access_key=conn.access_key,
                                     secret_key=conn.secret_key, session_token=conn.session_token,
                                     endpoint_url=endpoint)
            self._dynamodb = conn.client("dynamodb", region=self.backend.get("region"))
        return self._dynamodb

    def _call(self, action, call, **kwargs):
        try:
            return call(**kwargs)
        except Exception as exc:  # botocore's errors, one line each
            raise aws_error(exc, action, self.where, self.connection.endpoint_url)

    # --- reading ---------------------------------------------------------------------

    def read(self, version_id=None):
        """``(bytes, version_id)`` of the current object or of one version; ``(None, None)`` when absent."""
        kwargs = dict(Bucket=self.bucket, Key=self.key, **self.sse_c)
        if version_id:
            kwargs["VersionId"] = version_id
        try:
            answer = self.s3.get_object(**kwargs)
            return answer["Body"].read(), answer.get("VersionId")
        except Exception as exc:  # sorted into "absent" and one-line failures
            if error_code(exc) in _MISSING or (version_id and error_code(exc) in ("400", "InvalidArgument")):
                return None, None
            raise aws_error(exc, "reading", self.where + (" version %s" % version_id if version_id else ""),
                            self.connection.endpoint_url)

    def versions(self, limit=20):
        """Versions of the state object, newest first, each read for its serial and lineage (up to ``limit``)."""
        entries, marker = [], {}
        while True:
            answer = self._call("listing versions of", self.s3.list_object_versions, Bucket=self.bucket,
                                Prefix=self.key, **marker)
            for item in answer.get("Versions") or []:
                if item["Key"] == self.key:
                    entries.append(dict(item, _deleted=False))
            for item in answer.get("DeleteMarkers") or []:
                if item["Key"] == self.key:
                    entries.append(dict(item, _deleted=True))
            if not answer.get("IsTruncated"):
                break
            marker = {"KeyMarker": answer.get("NextKeyMarker"), "VersionIdMarker": answer.get("NextVersionIdMarker")}
        entries.sort(key=lambda item: item["LastModified"], reverse=True)
        listed = []
        for item in entries:
            entry = {"version_id": item.get("VersionId"), "last_modified": _iso(item["LastModified"]),
                     "is_latest": bool(item.get("IsLatest")), "delete_marker": item["_deleted"],
                     "size": item.get("Size", 0)}
            if not item["_deleted"] and len([e for e in listed if not e["delete_marker"]]) < limit:
                body = self.read(entry["version_id"])[0]
                if body is not None:
                    entry["md5"] = _md5(body)
                    try:
                        entry.update(summarize_state(parse_state(body, self.where)))
                    except StateError as exc:
                        entry["error"] = exc.message
            listed.append(entry)
        return listed

    def digest(self):
        """The MD5 terraform recorded in the lock table for this state (None without a table or item)."""
        if not self.table:
            return None
        answer = self._call("reading the state digest of", self.dynamodb.get_item, TableName=self.table,
                            Key={"LockID": {"S": "%s/%s-md5" % (self.bucket, self.key)}}, ConsistentRead=True)
        return ((answer.get("Item") or {}).get("Digest") or {}).get("S")

    def lock_holder(self):
        """Lock info of whoever holds the state lock now (DynamoDB item or S3 .tflock), else None."""
        if self.table:
            answer = self._call("reading the state lock of", self.dynamodb.get_item, TableName=self.table,
                                Key={"LockID": {"S": "%s/%s" % (self.bucket, self.key)}}, ConsistentRead=True)
            info = ((answer.get("Item") or {}).get("Info") or {}).get("S")
            if info:
                return _lock_info(info)
        if self.lockfile:
            try:
                body = self.s3.get_object(Bucket=self.bucket, Key=self.key + ".tflock", **self.sse_c)["Body"].read()
                return _lock_info(body.decode("utf-8", "replace"))
            except Exception as exc:  # a missing lock object means "not held"
                if error_code(exc) not in _MISSING:
                    raise aws_error(exc, "reading the state lock of", self.where, self.connection.endpoint_url)
        return None

    # --- locking ---------------------------------------------------------------------

    def _lock_info(self):
        return {"ID": str(uuid.uuid4()), "Operation": LOCK_OPERATION, "Info": "groundwork.terraform.state_restore",
                "Who": self.who, "Version": "groundwork", "Created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "Path": "%s/%s" % (self.bucket, self.key)}

    def _held(self, exc=None):
        holder = self.lock_holder() or {}
        return LockHeldError(
            "%s: the state lock is held: ID %s, held by %s for %s since %s; nothing was restored. Wait for that "
            "run, or if it is dead release the lock first (ansible-playbook groundwork.terraform.unlock ... "
            "-e lock_id=%s)" % (self.where, holder.get("ID", "?"), holder.get("Who", "?"),
                                holder.get("Operation", "?"), holder.get("Created", "?"), holder.get("ID", "<id>")),
            lock={k.lower(): v for k, v in holder.items()})

    def acquire(self):
        """Take the state lock(s) as terraform does (S3 lockfile first, then DynamoDB); returns the info."""
        info = self._lock_info()
        text = json.dumps(info)
        taken = []
        try:
            if self.lockfile:
                try:
                    self.s3.put_object(Bucket=self.bucket, Key=self.key + ".tflock", Body=text.encode("utf-8"),
                                       IfNoneMatch="*", ContentType="application/json", **self.sse_c)
                except Exception as exc:  # 412: someone holds it
                    if error_code(exc) in ("412", "PreconditionFailed", "ConditionalRequestConflict", "409"):
                        raise self._held()
                    raise aws_error(exc, "taking the S3 state lock of", self.where, self.connection.endpoint_url)
                taken.append("lockfile")
            if self.table:
                try:
                    self.dynamodb.put_item(TableName=self.table, Item={
                        "LockID": {"S": "%s/%s" % (self.bucket, self.key)}, "Info": {"S": text}},
                        ConditionExpression="attribute_not_exists(LockID)")
                except Exception as exc:  # ConditionalCheckFailed: someone holds it
                    if error_code(exc) == "ConditionalCheckFailedException":
                        raise self._held()
                    raise aws_error(exc, "taking the DynamoDB state lock of", self.where,
                                    self.connection.endpoint_url)
                taken.append("dynamodb")
        except GroundworkError:
            self.release(info, taken)
            raise
        return info, taken

    def release(self, info, taken):
        if "dynamodb" in taken:
            self._call("releasing the DynamoDB state lock of", self.dynamodb.delete_item, TableName=self.table,
                       Key={"LockID": {"S": "%s/%s" % (self.bucket, self.key)}},
                       ConditionExpression="contains(Info, :id)", ExpressionAttributeValues={":id": {"S": info["ID"]}})
        if "lockfile" in taken:
            self._call("releasing the S3 state lock of", self.s3.delete_object, Bucket=self.bucket,
                       Key=self.key + ".tflock")

    # --- restoring -------------------------------------------------------------------

    def restore(self, version_id, check_mode=False, force=False):
        """Make ``version_id`` the current state. Returns a result dict (changed, before, after, ...)."""
        chosen, found_id = self.read(version_id)
        if chosen is None:
            raise InputError("%s has no version %s; list the versions (omit version_id) and pick one"
                             % (self.where, version_id), option="version_id")
        chosen_state = parse_state(chosen, "%s version %s" % (self.where, version_id))
        current, current_id = self.read()
        current_state = parse_state(current, self.where) if current is not None else None
        digest = self.digest()
        before = {"version_id": current_id, "exists": current is not None, "digest": digest,
                  "md5": _md5(current) if current is not None else None}
        if current_state:
            before.update(summarize_state(current_state))
        if current_state and current_state.get("lineage") != chosen_state.get("lineage") and not force:
            raise InputError("%s version %s has lineage %s, the current state %s: it belongs to another state; "
                             "set force: true only if that is really the state to restore"
                             % (self.where, version_id, chosen_state.get("lineage"), current_state.get("lineage")),
                             option="force")
        holder = self.lock_holder()
        if holder:
            raise self._held()
        unchanged = current_state is not None and same_content(current_state, chosen_state) and \
            (not self.table or digest == before["md5"])
        if unchanged:
            return {"changed": False, "restored_from": version_id, "before": before, "after": before,
                    "msg": "%s already holds the content of version %s" % (self.where, version_id)}
        new_state = dict(chosen_state)
        if not (current_state and same_content(current_state, chosen_state)):
            new_state["serial"] = max(int(chosen_state.get("serial") or 0),
                                      int((current_state or {}).get("serial") or 0)) + 1
            body = render_state(new_state)
        else:  # same content, only the digest is wrong: fix the digest, keep the object
            new_state, body = current_state, current
        after = dict(summarize_state(new_state), exists=True, md5=_md5(body),
                     digest=_md5(body) if self.table else None, version_id=None)
        result = {"changed": True, "restored_from": version_id, "restored_serial": chosen_state.get("serial"),
                  "before": before, "after": after}
        if check_mode:
            return result
        info, taken = self.acquire()
        try:
            if body is not current:
                answer = self._call("writing the restored state to", self.s3.put_object, Bucket=self.bucket,
                                    Key=self.key, Body=body, ContentType="application/json", **self._sse_args())
                after["version_id"] = answer.get("VersionId")
            else:
                after["version_id"] = current_id
            if self.table:
                self._call("writing the state digest of", self.dynamodb.put_item, TableName=self.table, Item={
                    "LockID": {"S": "%s/%s-md5" % (self.bucket, self.key)}, "Digest": {"S": after["md5"]}})
        finally:
            self.release(info, taken)
        return result

    def _sse_args(self):
        if self.sse_c:
            return dict(self.sse_c)
        if self.backend.get("kms_key_id"):
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.backend["kms_key_id"]}
        if self.backend.get("encrypt", True):
            return {"ServerSideEncryption": "AES256"}
        return {}


def _lock_info(text):
    try:
        info = json.loads(text)
        return info if isinstance(info, dict) else {"Info": text}
    except ValueError:
        return {"Info": text}


def _iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime") else str(value)


def _user():
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


__all__ = ["StateHistory", "parse_state", "summarize_state", "render_state", "same_content"]


def run_state_restore(params, check_mode=False, diff=False, connection=None):
    """What the state_restore module does: list versions, and restore one when ``version_id`` is given."""
    history = StateHistory(params["backend"], connection=connection, workspace=params.get("workspace"))
    result = {"changed": False, "bucket": history.bucket, "key": history.key,
              "versions": history.versions(limit=params.get("max_versions") or 20)}
    if params.get("version_id"):
        restored = history.restore(params["version_id"], check_mode=check_mode, force=bool(params.get("force")))
        result.update(changed=restored["changed"], restored_from=restored["restored_from"],
                      before=restored["before"], after=restored["after"])
        if "restored_serial" in restored:
            result["restored_serial"] = restored["restored_serial"]
        if restored.get("msg"):
            result["msg"] = restored["msg"]
        if diff:
            keep = ("exists", "version_id", "serial", "lineage", "resources", "outputs", "md5", "digest")
            result["diff"] = {"before": {k: restored["before"].get(k) for k in keep},
                              "after": {k: restored["after"].get(k) for k in keep},
                              "before_header": "%s (current)" % history.where,
                              "after_header": "%s (version %s)" % (history.where, params["version_id"])}
        if restored["changed"] and not check_mode:  # the listing now has the restored object on top
            result["versions"] = history.versions(limit=params.get("max_versions") or 20)
    else:
        result["current"] = next((v for v in result["versions"] if v["is_latest"]), None)
        result["digest"] = history.digest()
        result["lock"] = history.lock_holder()
    return result
