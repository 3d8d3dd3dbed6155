"""A loopback /v1/rerank server (Cohere / Jina shape) for the teacher-score checks: deterministic, no model.

Score = share of the query's lower-cased words found in the document, so scores vary between
documents and margins are not all zero. Runs in a thread of the test process.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORD = re.compile(r"\w+")


def overlap(query: str, doc: str) -> float:
    q = WORD.findall(query.lower())
    d = set(WORD.findall(doc.lower()))
    return sum(w in d for w in q) / len(q) if q else 0.0


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        results = [{"index": i, "relevance_score": overlap(body["query"], d)} for i, d in enumerate(body["documents"])]
        raw = json.dumps({"results": sorted(results, key=lambda r: -r["relevance_score"])}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


def start() -> tuple[ThreadingHTTPServer, str]:
    """A server on 127.0.0.1 (ephemeral port) and its base URL; call .shutdown() when done."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
