"""The test harness's cleanup for terraform's own lost lock (tests/support/own_lock.py), on the
real S3/DynamoDB API: only the locks a failure names go; digests and other locks stay."""
from __future__ import annotations

import json

from support import own_lock

LOST = "b3a224f7-3f50-1711-c4e2-164126fbb717"
OTHER = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"
FAILURE = ("unit iam: the state lock is held: ID %s, held by root@vm for OperationTypeApply ...; it was taken on "
           "this host while this command ran: ... (hashicorp/terraform#16630)" % LOST)


def _lock_info(lock_id):
    return json.dumps({"ID": lock_id, "Operation": "OperationTypeApply", "Who": "root@vm", "Version": "1.11.4"})


def test_only_the_named_lost_locks_are_released(local_aws, boto_clients, unique_name):
    dynamodb, s3 = boto_clients("dynamodb"), boto_clients("s3")
    bucket, table = unique_name("gw-own"), unique_name("gw-own-lock")
    s3.create_bucket(Bucket=bucket)
    dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    items = {"lost": ("%s/test/iam/terraform.tfstate" % bucket, {"Info": {"S": _lock_info(LOST)}}),
             "digest": ("%s/test/iam/terraform.tfstate-md5" % bucket, {"Digest": {"S": "2d4b02ff"}}),
             "other": ("%s/test/app/terraform.tfstate" % bucket, {"Info": {"S": _lock_info(OTHER)}})}
    for lock_id, attributes in items.values():
        dynamodb.put_item(TableName=table, Item=dict(attributes, LockID={"S": lock_id}))
    s3.put_object(Bucket=bucket, Key="test/dns/terraform.tfstate.tflock", Body=_lock_info(LOST).encode())
    s3.put_object(Bucket=bucket, Key="test/vault/terraform.tfstate.tflock", Body=_lock_info(OTHER).encode())

    assert own_lock.lost_lock_ids("ID %s without the marker" % LOST) == []
    assert own_lock.lost_lock_ids(FAILURE) == [LOST]
    released = own_lock.release(own_lock.lost_lock_ids(FAILURE), [local_aws])

    assert sorted(released) == sorted(["%s %s" % (table, items["lost"][0]),
                                       "s3://%s/test/dns/terraform.tfstate.tflock" % bucket])
    left = {item["LockID"]["S"] for item in dynamodb.scan(TableName=table)["Items"]}
    assert left == {items["digest"][0], items["other"][0]}
    keys = {obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert keys == {"test/vault/terraform.tfstate.tflock"}
