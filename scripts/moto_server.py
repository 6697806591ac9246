"""Runs moto in server mode on 127.0.0.1 until standard input closes; prints its port.

Usage: moto_server.py [PORT]   (0 or nothing: a free port, printed as `ready <port>`)

The test harness and `make run` start it with a pipe on stdin: when they exit (even by a
crash), the pipe closes and the server stops, so no emulator outlives its user.

Requests are handled one at a time. DynamoDB transactions are serializable, and moto emulates
a cancelled TransactWriteItems by restoring a snapshot of the whole table taken when the
transaction began — correct only if no other request ran in between. Without the lock, two
concurrent transactions can erase each other's writes (seen here: a winning lock item vanishing
when the losing transaction rolled back). Connections are still accepted concurrently.
"""
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
moto_app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:
        return list(moto_app(environ, start_response))


server = make_server("127.0.0.1", port, serialized, threaded=True, request_handler=MotoRequestHandler)
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
print(f"ready {server.server_address[1]}", flush=True)
try:
    sys.stdin.read()
finally:
    server.shutdown()
