"""What the fake OpenAI server says: scripted responses, token counts, hashed embeddings.

Token counts are an approximation: tiktoken's encodings are downloaded at run time and
the network is closed here, so a word counts ceil(len/6) tokens, a run of punctuation
ceil(len/2) (BPE merges `{"`, `":` and the like), plus 4 per message (OpenAI's documented
per-message overhead is 3-4). The response schema or tools are counted with the prompt.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\w+|[^\w\s]+")


def count_tokens(text: str) -> int:
    """Approximate the number of tokens in a text (see the module docstring)."""
    return sum(math.ceil(len(w) / (6 if w[0].isalnum() else 2)) for w in _WORD.findall(text))


def count_prompt_tokens(body: dict[str, Any]) -> int:
    """Approximate the prompt tokens of a chat request: messages plus schema or tools."""
    total = 3
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content)
        total += 4 + count_tokens(str(content))
    for key in ("response_format", "tools"):
        if key in body:
            total += count_tokens(json.dumps(body[key]))
    return total


# --- Scripted responses -------------------------------------------------------------


@dataclass
class Reply:
    """A successful completion whose content is `content` (the structured JSON or a text)."""

    content: str
    finish_reason: str = "stop"


def structured(data: dict[str, Any]) -> Reply:
    """Answer with `data` as the model's structured output."""
    return Reply(json.dumps(data))


def text(content: str) -> Reply:
    """Answer with plain text."""
    return Reply(content)


def malformed() -> Reply:
    """Answer 200 with content that is not valid JSON."""
    return Reply('{"answer": "Our plans start at', finish_reason="stop")


@dataclass
class Failure:
    """An HTTP error, as OpenAI sends it (429 with Retry-After, 500, ...)."""

    status: int
    retry_after: float | None = None
    message: str = "fake failure"


@dataclass
class Hang:
    """Accept the request and say nothing for `seconds`, then drop the connection."""

    seconds: float = 30.0


@dataclass
class BrokenStream:
    """Stream the first `after_chunks` pieces of `content`, then drop the connection."""

    content: str
    after_chunks: int = 3


Script = Reply | Failure | Hang | BrokenStream


@dataclass
class RecordedRequest:
    """One request the fake server received."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    prompt_tokens: int = 0
    at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Return the chat messages of the request."""
        return list(self.body.get("messages", []))


def unused_url() -> str:
    """Return a loopback /v1 URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def hashed_vector(words: list[str], dims: int) -> list[float]:
    """Embed words as a signed hashed bag of words, normalised to unit length."""
    vector = [0.0] * dims
    for word in words:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dims
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0:
        vector[0] = 1.0
        return vector
    return [v / norm for v in vector]
