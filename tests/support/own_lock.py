"""Terraform's own lost lock (hashicorp/terraform#16630), cleared between a failure and its rerun.

Under load the local endpoint answers late, the AWS SDK resends terraform's lock request and
terraform reports its own, just-taken lock as held, leaving it behind. The unit says so (the
failure carries OWN_LOCK) and pytest.ini reruns such a test once. Module-scoped stacks outlive
the failed attempt, so the lock must go before the rerun, or the rerun and every later test on
that stack meet it. Only the locks the failure names are released, only on endpoints this test
session started: the product itself never releases a lock on its own (issue 7).
"""
from __future__ import annotations

import re

OWN_LOCK = "terraform#16630"
LOCK_ID = re.compile(r"\bID ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b")

ENDPOINTS: list[str] = []  # local endpoints started by this session (tests/conftest.py registers them)


def register(url: str) -> None:
    ENDPOINTS.append(url)


def lost_lock_ids(output: str) -> list[str]:
    """Lock IDs a failure names, when it is terraform's own lost lock; [] otherwise."""
    if OWN_LOCK not in output:
        return []
    return sorted(set(LOCK_ID.findall(output)))


def _client(service, endpoint):
    import boto3
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def release(lock_ids, endpoints=None) -> list[str]:
    """Delete the DynamoDB lock items and S3 lockfiles holding these lock IDs; returns what went."""
    released = []
    for endpoint in (ENDPOINTS if endpoints is None else endpoints):
        dynamodb = _client("dynamodb", endpoint)
        for table in dynamodb.list_tables().get("TableNames", []):
            for item in dynamodb.scan(TableName=table).get("Items", []):
                info = item.get("Info", {}).get("S", "")
                if any(lock_id in info for lock_id in lock_ids):
                    dynamodb.delete_item(TableName=table, Key={"LockID": item["LockID"]})
                    released.append("%s %s" % (table, item["LockID"]["S"]))
        s3 = _client("s3", endpoint)
        for bucket in s3.list_buckets().get("Buckets", []):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
                for obj in page.get("Contents", []):
                    if not obj["Key"].endswith(".tflock"):
                        continue
                    body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read().decode()
                    if any(lock_id in body for lock_id in lock_ids):
                        s3.delete_object(Bucket=bucket["Name"], Key=obj["Key"])
                        released.append("s3://%s/%s" % (bucket["Name"], obj["Key"]))
    return released
