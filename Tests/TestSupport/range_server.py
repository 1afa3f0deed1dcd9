#!/usr/bin/env python3
"""A tiny HTTP server for the dataset download tests: serves one directory on 127.0.0.1 with
single-range `Range: bytes=N-` support (Python's http.server has none).

Prints the chosen port on the first stdout line, then serves until killed. Appends one line per
request to --log: "<path> <Range header or -> <status>". Fault injection for the tests:
  --cut-after N     the first GET of each file sends the full headers but only N body bytes,
                    then drops the connection (a broken download to resume)
  --ignore-range    always answer 200 with the whole file
"""
import argparse
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
served_once = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def note(self, status):
        with open(args.log, "a") as f:
            f.write("%s %s %d\n" % (self.path, self.headers.get("Range", "-"), status))

    def do_GET(self):
        path = os.path.join(args.root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.note(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        start, status = 0, 200
        header = self.headers.get("Range")
        if header and not args.ignore_range and header.startswith("bytes=") and header.endswith("-"):
            start = int(header[6:-1])
            if start >= len(data):
                self.note(416)
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        body = data[start:]
        self.note(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        if args.cut_after is not None and path not in served_once:
            served_once.add(path)
            self.wfile.write(body[: args.cut_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--cut-after", type=int)
    parser.add_argument("--ignore-range", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
