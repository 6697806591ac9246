"""The peer `make bench` measures beside the Rust functions: what a team would otherwise deploy
for `GET /claims/{id}` — a Python handler on boto3 doing the same GetItem, run by the AWS Lambda
runtime interface client (awslambdaric) against the same fake Runtime API.

It does what get-claim does: the claim by ID (strongly consistent), 404 for a missing claim or
another organisation's, the document with its version as ETag.

With CPOR_CANNED_AWS set (the warm run), boto3's HTTP send is answered in process from the same
canned table the Rust functions use, through botocore's documented `before-send` hook, so both
sides are measured without AWS round trips.
"""

import json
import os

import boto3
from botocore.awsrequest import AWSResponse

TABLE = os.environ["CPOR_TABLE"]
dynamodb = boto3.session.Session().client("dynamodb")


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


def _canned(path):
    with open(path, encoding="utf-8") as f:
        table = json.load(f)

    def answer(request, **_kwargs):
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        op = "dynamodb." + target.split(".", 1)[-1]
        canned = table.get(op, {"status": 200, "body": "{}"})
        headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "canned"}
        headers.update(canned.get("headers", {}))
        body = canned.get("body", "").encode()
        return AWSResponse(request.url, canned.get("status", 200), headers, _Raw(body))

    return answer


if os.environ.get("CPOR_CANNED_AWS"):
    dynamodb.meta.events.register("before-send.dynamodb", _canned(os.environ["CPOR_CANNED_AWS"]))


def _problem(status, title):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/problem+json"},
        "body": json.dumps({"type": "about:blank", "title": title, "status": status}),
    }


def handler(event, _context):
    claim_id = (event.get("pathParameters") or {}).get("id", "")
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    out = dynamodb.get_item(
        TableName=TABLE,
        Key={"pk": {"S": f"CLAIM#{claim_id}"}, "sk": {"S": "CLAIM"}},
        ConsistentRead=True,
    )
    item = out.get("Item")
    if item is None:
        return _problem(404, "claim not found")
    doc = json.loads(item["doc"]["S"])
    reviewer = "reviewer" in claims.get("roles", "")
    if not reviewer and doc.get("partnerId") != claims.get("partner_id"):
        return _problem(404, "claim not found")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "etag": f'"{item["version"]["N"]}"'},
        "body": json.dumps(doc),
    }
