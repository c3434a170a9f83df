"""A loopback JSON-RPC proxy in front of a real Anvil that injects chain-side faults.

Everything is forwarded to the node unchanged unless a fault is set:
- `down`: every request fails at the transport level (connection closed, no response);
- `http_error`: every request gets HTTP 502 (a load balancer whose node is gone);
- `rpc_error(method, message)`: that method answers a JSON-RPC error without reaching the
  node (e.g. "nonce too low", "replacement transaction underpriced");
- `lose_response(method)`: the request reaches the node, its answer is thrown away and the
  connection closed (a tx that was sent, though the sender cannot know it);
- `low_gas`: eth_estimateGas answers 30,000, so the anchoring tx runs out of gas on chain;
- `answer({method: result})`: those methods answer `result` without reaching the node (e.g.
  null for eth_getTransactionReceipt: a node that no longer indexes transactions by hash).
`hits` counts the requests the current fault affected, so a test can wait until the worker
met it.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOW_GAS = 30_000


class RpcProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode: str | None = None
        self.method: str | None = None
        self.message = ""
        self.answers: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                proxy._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def set(self, mode: str | None, method: str | None = None, message: str = "") -> None:
        """Switch to a fault (None: none); `hits` counts afresh for each fault."""
        self.mode, self.method, self.message = mode, method, message
        self.hits.clear()

    def answer(self, results: Mapping[str, Any]) -> None:
        """Answer each method of `results` with its result, the node unasked."""
        self.set("answer")
        self.answers = dict(results)

    def clear(self) -> None:
        self.set(None)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length", 0)))
        try:
            request = json.loads(body)
        except ValueError:
            request = {}
        method = request.get("method", "") if isinstance(request, dict) else ""
        self.seen[method] += 1
        mode = self.mode
        if mode == "down":
            self.hits[mode] += 1
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if mode == "http_error":
            self.hits[mode] += 1
            self._send(h, 502, b"bad gateway")
            return
        if mode == "answer" and method in self.answers:
            self.hits[mode] += 1
            reply = {"jsonrpc": "2.0", "id": request.get("id"), "result": self.answers[method]}
            self._send(h, 200, json.dumps(reply).encode())
            return
        if mode == "rpc_error" and method == self.method:
            self.hits[mode] += 1
            error = {"jsonrpc": "2.0", "id": request.get("id"),
                     "error": {"code": -32000, "message": self.message}}
            self._send(h, 200, json.dumps(error).encode())
            return
        try:
            answer = self._forward(body)
        except OSError:
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if mode == "lose_response" and method == self.method:
            self.hits[mode] += 1
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if mode == "low_gas" and method == "eth_estimateGas":
            self.hits[mode] += 1
            reply = json.loads(answer)
            if "result" in reply:
                reply["result"] = hex(LOW_GAS)
            answer = json.dumps(reply).encode()
        self._send(h, 200, answer)

    def _forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.upstream, data=body,
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            data: bytes = response.read()
            return data

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
