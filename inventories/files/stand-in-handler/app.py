"""Stand-in code for the platform's functions on the local endpoint (handler.zip beside it holds this file).

Real code ships from CI to the artifacts bucket (see the dev/staging/prod inventories).
"""
import json
import os


def handler(event, context):
    if "Records" in event:  # DynamoDB stream batch (the worker)
        return {"batchItemFailures": []}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"env": os.environ.get("ENV_NAME", ""), "path": event.get("path")})}
