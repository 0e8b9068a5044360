"""The OpenAI-compatible engine: one structured model call per turn, offline fallback on failure.

The answer and the BANT extraction come back together as one strict json_schema output
(`agent.llm_output.TurnOutput`). `with_structured_output` would parse only the finished
message, so the model is bound to the same response format directly and the `answer`
field is read out of the partial JSON as it streams.

Any failure (HTTP error after the SDK's retries, the per-turn deadline, a broken stream,
output that is not valid TurnOutput) hands the turn to the fallback engine, so the
visitor always gets a reply.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import jiter
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from agent.config import AgentSettings
from agent.engine import Engine, StreamReset, TurnContext
from agent.llm_output import TurnOutput, cite, response_format, to_facts
from agent.models import EngineReply
from agent.prompts import load_prompt

log = logging.getLogger("baton.llm")

PROMPT_NAME = "turn_system"
_DONE = object()


class ModelOutputError(Exception):
    """The model answered, but not with a valid TurnOutput."""


class OpenAIEngine:
    """Answers and extracts facts with any OpenAI-compatible chat model."""

    name = "openai"

    def __init__(self, settings: AgentSettings, fallback: Engine) -> None:
        self._settings = settings
        self._fallback = fallback
        self._prompt = load_prompt(PROMPT_NAME)
        self.prompt_version = self._prompt.label
        self._llm = build_chat_model(settings).bind(response_format=response_format())
        # The SDK imports its streaming helpers on the first stream, ~3 s on 2 cores; do it
        # now, off the request path, so the first visitor does not wait for it.
        threading.Thread(target=_warm_up, daemon=True, name="baton-llm-warm-up").start()

    def reply(self, ctx: TurnContext) -> EngineReply:
        """Answer one turn with one model call; fall back to the offline engine on failure."""
        try:
            message = self._call(self.messages(ctx))
            return self._finish(ctx, message_text(message), message.usage_metadata)
        except Exception as exc:
            log.warning("model turn failed, using %s: %s", self._fallback.name, _describe(exc))
            return self._fallen_back(self._fallback.reply(ctx))

    def stream(self, ctx: TurnContext) -> Iterator[str | StreamReset | EngineReply]:
        """Stream the answer as the model writes it, then the reply; fall back on failure."""
        streamed = False
        try:
            buffer: list[str] = []
            usage: Any = None
            shown = 0
            complete = False
            for chunk in self._pump(self.messages(ctx)):
                if chunk.usage_metadata:
                    usage = chunk.usage_metadata
                piece = message_text(chunk)
                if not piece:
                    continue
                buffer.append(piece)
                if complete:
                    continue
                answer, complete = _partial_answer("".join(buffer))
                if len(answer) > shown:
                    yield answer[shown:]
                    shown = len(answer)
                    streamed = True
            final = self._finish(ctx, "".join(buffer), usage)
            streamed_text = _partial_answer("".join(buffer))[0][:shown]
            if not final.answer.startswith(streamed_text):
                # Cannot happen with a well-formed stream; never leave a wrong prefix shown.
                yield StreamReset(reason="the answer was rewritten")
                shown = 0
            if final.answer[shown:]:
                # A model that wrote `answer` after other keys streamed nothing yet.
                yield final.answer[shown:]
            yield final
        except Exception as exc:
            log.warning("model stream failed, using %s: %s", self._fallback.name, _describe(exc))
            if streamed:
                # The visitor sees this reason; the details stay in the log.
                yield StreamReset(reason="the model failed mid-answer")
            for item in self._fallback.stream(ctx):
                yield self._fallen_back(item) if isinstance(item, EngineReply) else item

    def messages(self, ctx: TurnContext) -> list[BaseMessage]:
        """Build the messages: instructions with quoted passages, history, the visitor's text."""
        system = self._prompt.render(
            company=self._settings.company_name,
            today=ctx.today.isoformat(),
            known_facts=known_facts_json(ctx),
            passages=passages_block(ctx),
        )
        out: list[BaseMessage] = [SystemMessage(system)]
        history = list(ctx.history)
        if history and history[-1].role == "visitor" and history[-1].text == ctx.question:
            history.pop()
        for turn in history[-self._settings.history_turns :]:
            out.append(HumanMessage(turn.text) if turn.role == "visitor" else AIMessage(turn.text))
        out.append(HumanMessage(ctx.question))
        return out

    # --- one model call ---------------------------------------------------------------

    def _call(self, messages: list[BaseMessage]) -> AIMessage:
        """Invoke the model once, within the turn's deadline."""
        return invoke_within(self._llm, messages, self._settings.turn_timeout_s)

    def _pump(self, messages: list[BaseMessage]) -> Iterator[AIMessageChunk]:
        """Stream the model's chunks, raising TimeoutError once the turn's deadline passes."""
        chunks: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()

        def run() -> None:
            try:
                for chunk in self._llm.stream(messages):
                    if stop.is_set():
                        return
                    chunks.put(chunk)
                chunks.put(_DONE)
            except BaseException as exc:
                chunks.put(exc)

        threading.Thread(target=run, daemon=True, name="baton-llm-stream").start()
        deadline = time.monotonic() + self._settings.turn_timeout_s
        try:
            while True:
                try:
                    item = chunks.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise TimeoutError(
                        f"no complete reply within {self._settings.turn_timeout_s:g} s"
                    ) from None
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    # --- turning the output into a reply ----------------------------------------------

    def _finish(self, ctx: TurnContext, raw: str, usage: Any) -> EngineReply:
        try:
            out = TurnOutput.model_validate_json(raw)
        except ValidationError as exc:
            raise ModelOutputError(
                f"invalid structured output: {exc.error_count()} errors"
            ) from exc
        if not out.answer.strip():
            raise ModelOutputError("empty answer")
        citations = [] if out.outcome == "gap" else cite(out.citations, ctx.passages)
        facts = to_facts(
            out,
            message=ctx.question,
            message_id=ctx.message_id,
            current=ctx.current,
            today=ctx.today,
        )
        return EngineReply(
            answer=out.answer,
            citations=citations,
            outcome=out.outcome,
            best_score=max((p.score for p in ctx.passages), default=None),
            facts=facts,
            engine=self.name,
            prompt_version=self.prompt_version,
            prompt_tokens=(usage or {}).get("input_tokens"),
            completion_tokens=(usage or {}).get("output_tokens"),
        )

    def _fallen_back(self, reply: EngineReply) -> EngineReply:
        return reply.model_copy(update={"engine": f"{reply.engine}-fallback"})


def build_chat_model(settings: AgentSettings) -> ChatOpenAI:
    """Build the langchain-openai chat model the settings describe."""
    key = settings.openai_api_key
    if key is None:
        if not settings.openai_base_url:
            raise ValueError(
                "BATON_LLM=openai needs BATON_OPENAI_API_KEY or OPENAI_API_KEY "
                "(or BATON_OPENAI_BASE_URL for a local server that takes no key)"
            )
        # Local servers (vLLM, Ollama, llama.cpp) accept any key.
        key = SecretStr("not-needed")
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.turn_timeout_s,
        max_retries=settings.max_retries,
        stream_usage=True,
    )


def invoke_within(
    model: Runnable[list[BaseMessage], BaseMessage], messages: list[BaseMessage], timeout: float
) -> AIMessage:
    """Invoke a chat model once, raising TimeoutError when it has not answered in time."""
    result: queue.Queue[Any] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            result.put(model.invoke(messages))
        except BaseException as exc:  # handed to the caller's thread
            result.put(exc)

    # A worker thread lets the turn give up at its deadline even when the SDK is still
    # waiting; the worker ends on its own when the SDK's own timeout fires.
    threading.Thread(target=run, daemon=True, name="baton-llm-call").start()
    try:
        item = result.get(timeout=timeout)
    except queue.Empty:
        raise TimeoutError(f"no reply within {timeout:g} s") from None
    if isinstance(item, BaseException):
        raise item
    if not isinstance(item, AIMessage):
        raise ModelOutputError(f"unexpected model result {type(item).__name__}")
    return item


def message_text(message: AIMessage | AIMessageChunk) -> str:
    """Return the text content of a model message."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)


def known_facts_json(ctx: TurnContext) -> str:
    """Render what is known about the visitor as JSON data, without their raw words."""
    q = ctx.current
    known: dict[str, Any] = {}
    for name in ("budget", "authority", "need", "timeline"):
        value = getattr(q, name).model_dump(exclude={"evidence", "message_id"}, exclude_none=True)
        if value.get("status") != "unknown":
            known[name] = value
    contact = [k for k, v in q.contact.model_dump().items() if v]
    if contact:
        known["contact_known"] = contact
    return _quote_json(known)


def passages_block(ctx: TurnContext) -> str:
    """Render the passages as numbered JSON lines, escaped so none can close the block."""
    if not ctx.passages:
        return '{"note": "no passage matched this message"}'
    lines = []
    for n, hit in enumerate(ctx.passages, start=1):
        section = " > ".join(hit.heading_path)
        item = {"n": n, "title": hit.title, "section": section, "text": hit.text}
        lines.append(_quote_json(item))
    return "\n".join(lines)


def _quote_json(value: Any) -> str:
    # Escaping < and > keeps a passage from forging the </passages> delimiter.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _warm_up() -> None:
    import openai.lib.streaming.chat
    import openai.resources.beta.beta  # noqa: F401


def _partial_answer(raw: str) -> tuple[str, bool]:
    """Return the `answer` of a JSON object still being written, and whether it is complete."""
    if not raw.strip():
        return "", False
    try:
        data = jiter.from_json(raw.encode(), partial_mode="trailing-strings")
    except ValueError:
        return "", False
    if not isinstance(data, dict):
        return "", False
    answer = data.get("answer")
    # The schema puts `answer` first: once another key has begun, the answer is whole.
    return (answer if isinstance(answer, str) else ""), len(data) > 1


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
