"""Receive messages: a small HTTP endpoint that verifies ``Upstash-Signature``.

It listens on 127.0.0.1 (``PORT``, default: any free port), publishes one message to itself
through QStash, verifies the delivery with the signing keys from the environment
(``QSTASH_CURRENT_SIGNING_KEY`` / ``QSTASH_NEXT_SIGNING_KEY``) and exits. QStash must be able
to reach the endpoint, so run this against the local server.
"""

import os
import queue
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from upstash_qstash import Client, Receiver, SignatureError

receiver = Receiver()  # keys from the environment
results: "queue.Queue[str]" = queue.Queue()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = f"http://127.0.0.1:{server.server_port}{self.path}"
        try:
            receiver.verify(signature=self.headers.get("Upstash-Signature", ""), body=body, url=url)
        except SignatureError as exc:
            self.send_response(401)
            self.end_headers()
            results.put(f"rejected: {exc}")
            return
        self.send_response(200)
        self.end_headers()
        results.put(f"verified: {body.decode()}")

    def log_message(self, format: str, *args: object) -> None:
        pass


server = HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()

with Client() as client:
    client.publish_json(url=f"http://127.0.0.1:{server.server_port}/webhook", body={"hi": 1})

outcome = results.get(timeout=60)
print(outcome)
server.shutdown()
raise SystemExit(0 if outcome.startswith("verified") else 1)
