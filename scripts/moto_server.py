"""Runs moto in server mode on 127.0.0.1 until standard input closes; prints its port.

Usage: moto_server.py [PORT]   (0 or nothing: a free port, printed as `ready <port>`)

The test harness and `make run` start it with a pipe on stdin: when they exit (even by a
crash), the pipe closes and the server stops, so no emulator outlives its user.

Requests are handled one at a time. DynamoDB transactions are serializable, and moto emulates
a cancelled TransactWriteItems by restoring a snapshot of the whole table taken when the
transaction began — correct only if no other request ran in between. Without the lock, two
concurrent transactions can erase each other's writes (seen here: a winning lock item vanishing
when the losing transaction rolled back). Connections are still accepted concurrently.

The snapshot leaves out the table's stream: moto would otherwise restore the stream too, taking
back records it already handed out, reusing their sequence numbers and leaving every open shard
iterator reading a discarded copy (and copying the whole stream on every transaction). Shared,
the stream keeps the cancelled transaction's records; they name items that were never written,
and the outbox's delivery skips them as it skips any duplicate record. Stream records and shard
iterators are not kept for `/moto-api/data.json` (which would otherwise grow with every poll),
and an iterator is forgotten once read (the local stack's poller reads each once).

S3 sends "Object Created" events to EventBridge with a fixed `sequencer`; S3's increases with
every write to a key, and the reference data import orders documents by it, so here each event
gets the next value of a counter (16 hex digits, as S3's look).

`GET /_cpor/emails` lists the emails SES captured — `[{to, subject, body}]` — without
serialising every other resource as `/moto-api/data.json` does.
"""
import copy
import json
import sys
import threading

from moto.dynamodb.models.table import StreamRecord, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.ses.models import ses_backends
import itertools
import uuid

import moto.s3.notifications as s3_notifications
from moto.core.utils import unix_time

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server



def _snapshot_without_stream(self, memo):
    if self.stream_shard is not None:
        memo[id(self.stream_shard)] = self.stream_shard
    snapshot = Table.__new__(Table)
    memo[id(self)] = snapshot
    for name, value in self.__dict__.items():
        setattr(snapshot, name, copy.deepcopy(value, memo))
    return snapshot


Table.__deepcopy__ = _snapshot_without_stream


class _Untracked(list):
    def append(self, _):
        pass


StreamRecord.instances_tracked = _Untracked()
ShardIterator.instances_tracked = _Untracked()
_get_records = DynamoDBStreamsBackend.get_records


def _get_records_once(self, iterator_arn, limit):
    records = _get_records(self, iterator_arn, limit)
    self.shard_iterators.pop(iterator_arn, None)
    return records


DynamoDBStreamsBackend.get_records = _get_records_once


_sequencer = itertools.count(1)


def _send_s3_event_in_order(account_id, bucket, event_name, key):
    """moto's S3 → EventBridge notification, with an increasing sequencer."""
    from moto.events.models import events_backends

    event = {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": s3_notifications._detail_type(event_name),
        "source": "aws.s3", "account": account_id,
        # a Unix time here: moto's rule targets write it out in ISO form
        "time": unix_time(),
        "region": bucket.region_name, "resources": [bucket.arn],
        "detail": {
            "version": "0", "bucket": {"name": bucket.name},
            "object": {"key": key.name, "size": key.size, "etag": key.etag.replace('"', ""),
                       "version-id": key.version_id, "sequencer": f"{next(_sequencer):016X}"},
            "request-id": str(uuid.uuid4()), "requester": account_id,
            "source-ip-address": "127.0.0.1", "reason": event_name.split(":")[1],
        },
    }
    for bus in events_backends[account_id][bucket.region_name].event_buses.values():
        for rule in bus.rules.values():
            rule.send_to_targets(event, transform_input=False)


s3_notifications._send_event_bridge_message = _send_s3_event_in_order


def sent_emails(start_response):
    emails = []
    for account in ses_backends.values():
        for backend in account.values():
            for m in backend.sent_messages:
                if hasattr(m, "subject"):
                    emails.append({"to": m.destinations.get("ToAddresses", []),
                                   "subject": m.subject, "body": m.body})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(emails).encode()]

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
moto_app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:
        if environ.get("PATH_INFO") == "/_cpor/emails":
            return sent_emails(start_response)
        return list(moto_app(environ, start_response))


server = make_server("127.0.0.1", port, serialized, threaded=True, request_handler=MotoRequestHandler)
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
print(f"ready {server.server_address[1]}", flush=True)
try:
    sys.stdin.read()
finally:
    server.shutdown()
