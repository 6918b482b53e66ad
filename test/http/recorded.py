#!/usr/bin/env python3
"""Print one field of a request that test/http/upstream.py recorded.

Usage: recorded.py LOG_FILE CASE FIELD [HEADER_NAME]

The request is the one whose X-Test-Case header equals CASE. FIELD is one of:
  count         how many recorded requests carry that case name
  method, path  the request line parts
  header NAME   every value of header NAME, one per line, as raw bytes
  header_count NAME  how many times header NAME arrived
  body          the raw body
  headers_json  the headers as one JSON object with lower-case names, the
                last value winning, as PostgREST stores request.headers
"""

import json
import sys


def load(log_path, case):
    matches = []
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            headers = [(name, bytes.fromhex(value)) for name, value in entry["headers"]]
            if any(name == "x-test-case" and value == case.encode() for name, value in headers):
                entry["headers"] = headers
                entry["body"] = bytes.fromhex(entry["body"])
                matches.append(entry)
    return matches


def main():
    log_path, case, field = sys.argv[1:4]
    matches = load(log_path, case)
    out = sys.stdout.buffer
    if field == "count":
        out.write(b"%d" % len(matches))
        return
    if len(matches) != 1:
        sys.exit("expected one recorded request for case %s, found %d" % (case, len(matches)))
    entry = matches[0]
    if field in ("method", "path"):
        out.write(entry[field].encode())
    elif field == "header":
        header_name = sys.argv[4].lower()
        out.write(b"\n".join(value for name, value in entry["headers"] if name == header_name))
    elif field == "header_count":
        header_name = sys.argv[4].lower()
        out.write(b"%d" % sum(1 for name, _ in entry["headers"] if name == header_name))
    elif field == "body":
        out.write(entry["body"])
    elif field == "headers_json":
        # PostgREST decodes header bytes as UTF-8 before it encodes the JSON.
        headers = {name: value.decode("utf-8") for name, value in entry["headers"]}
        out.write(json.dumps(headers, ensure_ascii=False).encode("utf-8"))
    else:
        sys.exit("unknown field: " + field)


if __name__ == "__main__":
    main()
