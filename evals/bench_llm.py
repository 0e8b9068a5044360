"""`python -m evals.bench_llm`: model calls and prompt tokens per turn of the OpenAI engine.

Scripted multi-turn conversations run through `OpenAIEngine` (the real langchain-openai
client) against the local fake OpenAI server, with passages cut from the demo content
the size retrieval hands the engine. Prompt tokens are the usage the server reports and
the client records; the fake server counts with a documented approximation (tiktoken's
encodings are not available offline), so read them as estimates within ~15%.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import SecretStr

from agent.config import AgentSettings
from agent.engine import StreamReset, TurnContext
from agent.llm import OpenAIEngine, known_facts_json, passages_block
from agent.llm_output import TurnOutput, response_format
from agent.models import ChatTurn, EngineReply
from agent.offline import OfflineEngine
from core.qualification import Qualification
from knowledge.embeddings import load_minilm
from knowledge.models import SearchHit
from tests.fakes.openai_server import FakeOpenAI, count_tokens, structured

CONVERSATIONS = 3
VISITOR_LINES = [
    "Hi, what does Relaypoint do?",
    "How does lead routing work with Salesforce?",
    "We're a 40-person sales team, I'm the VP of Sales.",
    "What does the Growth plan cost?",
    "We have about $30k a year set aside for this.",
    "Is it SOC 2 certified?",
    "We'd like to be live by next quarter.",
    "Can it route by territory and company size?",
    "My email is dana@example.com",
    "Can I get a demo?",
]
ANSWER = (
    "Relaypoint routes every inbound lead to the right rep in seconds, using rules you set "
    "on territory, company size and account ownership, and books the meeting on the spot."
)
DEMO = Path(__file__).resolve().parent.parent / "demo"
PASSAGE_CHARS = 900


def _passages(k: int = 5) -> list[SearchHit]:
    """Cut k passages of typical chunk size from the demo documents."""
    files = sorted(DEMO.glob("*.md"))[:k] if DEMO.is_dir() else []
    hits = []
    for n, path in enumerate(files):
        body = " ".join(path.read_text(encoding="utf-8").split())[:PASSAGE_CHARS]
        hits.append(
            SearchHit(
                chunk_id=f"c{n}",
                document_id=path.stem,
                source=path.name,
                title=path.stem,
                text=body,
                score=0.5,
            )
        )
    filler = "Relaypoint routes inbound leads to the right rep and books meetings. " * 13
    while len(hits) < k:
        n = len(hits)
        hits.append(
            SearchHit(
                chunk_id=f"c{n}",
                document_id=f"d{n}",
                source=f"d{n}.md",
                title=f"Doc {n}",
                text=filler[:PASSAGE_CHARS],
                score=0.5,
            )
        )
    return hits


def _output() -> dict[str, object]:
    return {
        "answer": ANSWER,
        "outcome": "answered",
        "citations": [1, 2],
        "budget": None,
        "authority": None,
        "need": None,
        "timeline": None,
        "contact": None,
        "wants_human": False,
        "declined": [],
    }


def _run(engine: OpenAIEngine, fake: FakeOpenAI, *, stream: bool) -> dict[str, list[float]]:
    passages = _passages()
    stats: dict[str, list[float]] = {
        "calls": [],
        "prompt": [],
        "completion": [],
        "pieces": [],
        "first_ms": [],
        "turn_ms": [],
    }
    for _ in range(CONVERSATIONS):
        history: list[ChatTurn] = []
        for n, line in enumerate(VISITOR_LINES):
            ctx = TurnContext(
                question=line,
                message_id=f"m{n}",
                history=list(history),
                passages=passages,
                current=Qualification(),
                today=date(2026, 11, 23),
            )
            before = len(fake.chat_requests())
            started = time.perf_counter()
            first = None
            pieces = 0
            if stream:
                reply = None
                for item in engine.stream(ctx):
                    if isinstance(item, str):
                        first = first or time.perf_counter()
                        pieces += 1
                    elif isinstance(item, EngineReply):
                        reply = item
                    elif isinstance(item, StreamReset):
                        raise RuntimeError(f"stream reset: {item.reason}")
                assert reply is not None
            else:
                reply = engine.reply(ctx)
            elapsed = time.perf_counter() - started
            if reply.engine != "openai":
                raise RuntimeError(f"turn fell back to {reply.engine}")
            stats["calls"].append(len(fake.chat_requests()) - before)
            stats["prompt"].append(reply.prompt_tokens or 0)
            stats["completion"].append(reply.completion_tokens or 0)
            stats["turn_ms"].append(elapsed * 1000)
            if stream:
                stats["pieces"].append(pieces)
                stats["first_ms"].append(((first or time.perf_counter()) - started) * 1000)
            history += [
                ChatTurn(role="visitor", text=line),
                ChatTurn(role="assistant", text=reply.answer),
            ]
    return stats


def _row(label: str, values: list[float], unit: str = "") -> str:
    if not values:
        return f"  {label:<34} -"
    return (
        f"  {label:<34} mean {statistics.fmean(values):8.1f}{unit}   "
        f"p50 {statistics.median(values):8.1f}{unit}   max {max(values):8.1f}{unit}"
    )


def main() -> int:
    """Run the scripted turns and print calls and tokens per turn."""
    with FakeOpenAI() as fake:
        fake.default = structured(_output())
        settings = AgentSettings(
            llm="openai",
            openai_api_key=SecretStr("sk-bench"),
            openai_base_url=fake.url,
            openai_model="bench-model",
        )
        engine = OpenAIEngine(settings, fallback=OfflineEngine(load_minilm()))
        results = {
            "reply()": _run(engine, fake, stream=False),
            "stream()": _run(engine, fake, stream=True),
        }

    turns = CONVERSATIONS * len(VISITOR_LINES)
    ctx = TurnContext(
        question="",
        message_id="m",
        history=[],
        passages=_passages(),
        current=Qualification(),
        today=date(2026, 11, 23),
    )
    schema = count_tokens(json.dumps(response_format()))
    tool = count_tokens(json.dumps(convert_to_openai_tool(TurnOutput, strict=True)))
    print(
        f"OpenAI engine: {turns} turns per mode ({CONVERSATIONS} scripted conversations of "
        f"{len(VISITOR_LINES)} turns, 5 passages of ~{PASSAGE_CHARS} chars), fake server"
    )
    for mode, stats in results.items():
        print(f"\n{mode}")
        print(_row("model calls per turn", stats["calls"]))
        print(_row("prompt tokens per turn", stats["prompt"]))
        print(_row("completion tokens per turn", stats["completion"]))
        if stats["pieces"]:
            print(_row("streamed pieces per answer", stats["pieces"]))
            print(_row("first piece (loopback)", stats["first_ms"], " ms"))
        print(_row("whole turn (loopback)", stats["turn_ms"], " ms"))
    print("\nwhere the first turn's prompt tokens go (approx.)")
    print(f"  response schema (json_schema)      {schema:6d}  (as a strict tool: {tool})")
    print(f"  passages                           {count_tokens(passages_block(ctx)):6d}")
    print(f"  known facts                        {count_tokens(known_facts_json(ctx)):6d}")
    instructions = engine.messages(ctx)[0].content
    rest = count_tokens(str(instructions)) - count_tokens(passages_block(ctx))
    print(f"  instructions                       {rest - count_tokens(known_facts_json(ctx)):6d}")
    print("token counts: approximation (words/6, punctuation runs/2, 4 per message), not tiktoken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
