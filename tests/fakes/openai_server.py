"""A local fake OpenAI server speaking the real wire protocol, scriptable per test.

It serves `POST /v1/chat/completions` (JSON or `stream: true` server-sent events, with
`response_format` json_schema or `tools`, and a usage block) and `POST /v1/embeddings`
(deterministic hashed bag-of-words vectors). Tests queue canned responses and failures
and read back every request it received.

Responses and token counting live in `openai_wire`; both are importable from here.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.openai_wire import (
    BrokenStream,
    Failure,
    Hang,
    RecordedRequest,
    Reply,
    Script,
    count_prompt_tokens,
    count_tokens,
    hashed_vector,
    malformed,
    structured,
    text,
    unused_url,
)

__all__ = [
    "BrokenStream",
    "Failure",
    "FakeOpenAI",
    "Hang",
    "RecordedRequest",
    "Reply",
    "Script",
    "count_prompt_tokens",
    "count_tokens",
    "hashed_vector",
    "malformed",
    "structured",
    "text",
    "unused_url",
]


# --- The server ---------------------------------------------------------------------


class FakeOpenAI:
    """The fake server: `push()` scripts chat replies, `requests` records what came in."""

    def __init__(self, *, chunk_chars: int = 6) -> None:
        self.chunk_chars = chunk_chars
        self.requests: list[RecordedRequest] = []
        # Used when the queue is empty; None answers 500 so an unscripted call is visible.
        self.default: Script | None = None
        # When set, /v1/embeddings answers with this failure.
        self.embeddings_failure: Failure | None = None
        self._queue: deque[Script] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> FakeOpenAI:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging requests are released."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def push(self, *scripts: Script) -> None:
        """Queue responses for the next chat completion requests, one each."""
        with self._lock:
            self._queue.extend(scripts)

    def chat_requests(self) -> list[RecordedRequest]:
        """Return the chat completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next(self) -> Script | None:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        """Route a POST to chat completions or embeddings."""
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_error(Failure(400, message="request body is not JSON"))
            return
        path = self.path.split("?", 1)[0]
        recorded = RecordedRequest(path, body, {k.lower(): v for k, v in self.headers.items()})
        if path.endswith("/chat/completions"):
            recorded.prompt_tokens = count_prompt_tokens(body)
            fake._record(recorded)
            self._chat(fake, body, recorded)
        elif path.endswith("/embeddings"):
            fake._record(recorded)
            self._embeddings(fake, body)
        else:
            self._send_error(Failure(404, message=f"no route {path}"))

    # chat ---------------------------------------------------------------------------

    def _chat(self, fake: FakeOpenAI, body: dict[str, Any], rec: RecordedRequest) -> None:
        script = fake._next()
        if script is None:
            self._send_error(Failure(500, message="fake server: no scripted response"))
        elif isinstance(script, Failure):
            self._send_error(script)
        elif isinstance(script, Hang):
            fake._stopping.wait(script.seconds)
            self.close_connection = True
        elif body.get("stream"):
            self._stream(fake, body, rec, script)
        else:
            self._complete(body, rec, script)

    def _complete(self, body: dict[str, Any], rec: RecordedRequest, script: Script) -> None:
        content = script.content if isinstance(script, Reply | BrokenStream) else ""
        finish = script.finish_reason if isinstance(script, Reply) else "stop"
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        tool = _tool_name(body)
        if tool:
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": "call_" + uuid.uuid4().hex[:12],
                    "type": "function",
                    "function": {"name": tool, "arguments": content},
                }
            ]
            finish = "tool_calls" if finish == "stop" else finish
        payload = {
            **_envelope(body, "chat.completion"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            ],
            "usage": _usage(rec.prompt_tokens, content),
        }
        if isinstance(script, BrokenStream):
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._drop()
            return
        self._send_json(200, payload)

    def _stream(
        self, fake: FakeOpenAI, body: dict[str, Any], rec: RecordedRequest, script: Script
    ) -> None:
        assert isinstance(script, Reply | BrokenStream)
        content = script.content
        size = max(1, fake.chunk_chars)
        pieces = [content[i : i + size] for i in range(0, len(content), size)] or [""]
        tool = _tool_name(body)
        base = _envelope(body, "chat.completion.chunk")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        first: dict[str, Any] = {"role": "assistant", "content": "" if not tool else None}
        if tool:
            first["tool_calls"] = [
                {
                    "index": 0,
                    "id": "call_" + uuid.uuid4().hex[:12],
                    "type": "function",
                    "function": {"name": tool, "arguments": ""},
                }
            ]
        self._event({**base, "choices": [_choice(first)]})
        for n, piece in enumerate(pieces):
            if isinstance(script, BrokenStream) and n >= script.after_chunks:
                self._drop()
                return
            delta: dict[str, Any] = (
                {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                if tool
                else {"content": piece}
            )
            self._event({**base, "choices": [_choice(delta)]})
        finish = script.finish_reason if isinstance(script, Reply) else "stop"
        finish = "tool_calls" if tool and finish == "stop" else finish
        self._event({**base, "choices": [_choice({}, finish)]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**base, "choices": [], "usage": _usage(rec.prompt_tokens, content)})
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    # embeddings ---------------------------------------------------------------------

    def _embeddings(self, fake: FakeOpenAI, body: dict[str, Any]) -> None:
        if fake.embeddings_failure is not None:
            self._send_error(fake.embeddings_failure)
            return
        inputs = body.get("input")
        if isinstance(inputs, str) or (isinstance(inputs, list) and inputs and _is_int(inputs[0])):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs:
            self._send_error(Failure(400, message="'input' must be a string or a list"))
            return
        model = str(body.get("model", ""))
        dims = int(body.get("dimensions") or (3072 if "large" in model else 1536))
        data = []
        tokens = 0
        for i, item in enumerate(inputs):
            words = (
                [str(t) for t in item]
                if isinstance(item, list)
                else re.findall(r"\w+", str(item).lower())
            )
            tokens += len(words)
            vector = hashed_vector(words, dims)
            if body.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        self._send_json(200, {"object": "list", "data": data, "model": model, "usage": usage})

    # wire helpers -------------------------------------------------------------------

    def _send_json(self, status: int, payload: dict[str, Any], **headers: str) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, failure: Failure) -> None:
        kind = {400: "invalid_request_error", 429: "rate_limit_exceeded"}.get(
            failure.status, "server_error"
        )
        headers = {} if failure.retry_after is None else {"retry_after": str(failure.retry_after)}
        payload = {"error": {"message": failure.message, "type": kind, "param": None, "code": kind}}
        self._send_json(failure.status, payload, **headers)

    def _event(self, payload: dict[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(payload)}\n\n".encode())

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        # Closing without the terminating chunk is what a crashed upstream looks like.
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _envelope(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:16],
        "object": kind,
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "system_fingerprint": "fp_fake",
    }


def _choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}


def _usage(prompt_tokens: int, content: str) -> dict[str, int]:
    completion = count_tokens(content)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion,
    }


def _tool_name(body: dict[str, Any]) -> str | None:
    """Return the function the client wants called, when it asked for tools."""
    if "response_format" in body or not body.get("tools"):
        return None
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return str(choice.get("function", {}).get("name"))
    return str(body["tools"][0]["function"]["name"])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
