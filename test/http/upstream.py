#!/usr/bin/env python3
"""Stand-in for PostgREST that records what nginx forwards.

Every request, whatever its method and path, gets a 200 response with a
small JSON body and is appended to the log file as one JSON line: method, raw path,
headers as [name, value] pairs in arrival order, and the body. Header
values and the body are stored as hex of the raw bytes, because the tests
compare them byte for byte.

Usage: upstream.py PORT LOG_FILE   (listens on 127.0.0.1 only)
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingHandler(BaseHTTPRequestHandler):
    lock = threading.Lock()
    log_path = None

    def record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        entry = {
            "method": self.command,
            "path": self.path,
            # http.server decodes header bytes as ISO-8859-1, which maps each
            # byte to one character, so encoding back gives the raw bytes.
            "headers": [
                [name.lower(), value.encode("iso-8859-1").hex()]
                for name, value in self.headers.items()
            ],
            "body": body.hex(),
        }
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

        reply = b'{"upstream": "recorded"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = record

    def log_message(self, format, *args):
        """Keep the test output quiet: the log file is the record."""


def main():
    port = int(sys.argv[1])
    RecordingHandler.log_path = sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), RecordingHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
