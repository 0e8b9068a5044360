"""The offline engine: extractive answers from retrieved passages, no model, deterministic.

An answer is made only of sentences copied from the passages, chosen by embedding
similarity to the question, so it can never state a fact the cited text does not hold.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agent import intent
from agent.dialogue import acknowledge
from agent.engine import StreamReset, TurnContext
from agent.extraction import extract
from agent.models import Citation, EngineReply, Facts
from agent.passages import covers, heading_matches, rank_bonus, split_sentences
from knowledge.embeddings import Embedder
from knowledge.models import SearchHit

PROMPT_VERSION = "offline-1"
_MAX_SENTENCES = 3
_MAX_ANSWER_CHARS = 600
# Sentences within this margin of the best one are relevant enough to join it.
_JOIN_MARGIN = 0.10
_OTHER_PASSAGE_MARGIN = 0.06
# How much lower the bar is when the passage's headings name what the question asks about.
_HEADING_RELIEF = 0.06
# Two sentences this similar say the same thing; keep one.
_DUPLICATE_SIM = 0.92
_MAX_CACHED_CHUNKS = 50_000

_DANGLING = re.compile(r"^(?:it|this|that|these|those|they|both|its|their|such)\b", re.I)
_HANDOFF_ASK = re.compile(
    r"\b(?:demo|call|talk|speak|human|person|someone|sales|rep|quote|contact|meeting)\b", re.I
)

_GAP = (
    "I couldn't find that in our documentation, and I'd rather not guess. "
    "Someone from our team can answer it — would you like me to connect you?"
)
_GREETING = "Hi there!"
_THANKS = "You're welcome!"
_HANDOFF_ACK = "Happy to connect you with our team."
_REFUSAL = (
    "I can't do that, but I'm happy to answer questions about {company}: "
    "the product, pricing, integrations or security."
)


@dataclass(frozen=True)
class _Sentences:
    """The answerable sentences of one passage and their unit embeddings."""

    texts: list[str]
    vectors: NDArray[np.float32]


@dataclass(frozen=True)
class _Pick:
    sim: float
    score: float  # similarity nudged by rank_bonus, for ordering only
    rank: int
    position: int
    text: str
    hit: SearchHit
    vector: NDArray[np.float32]


class OfflineEngine:
    """Answers from passages by sentence selection; extracts facts with the rule-based parsers."""

    name = "offline"

    def __init__(
        self,
        embedder: Embedder,
        *,
        sentence_threshold: float = 0.38,
        relevance_threshold: float = 0.0,
        company: str = "Relaypoint",
        max_passages: int = 6,
    ) -> None:
        self._embedder = embedder
        self._sentence_threshold = sentence_threshold
        self._relevance_threshold = relevance_threshold
        self._company = company
        self._max_passages = max_passages
        # Sentence embeddings per chunk: a chunk is split and embedded once per process.
        self._cache: OrderedDict[tuple[str, int], _Sentences] = OrderedDict()
        self._queries: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        # Turns run on several threads; the caches are shared.
        self._lock = threading.Lock()

    def reply(self, ctx: TurnContext) -> EngineReply:
        """Answer one turn from the passages and extract the visitor's facts."""
        facts = extract(
            ctx.question,
            message_id=ctx.message_id,
            current=ctx.current,
            today=ctx.today,
            asked=ctx.asked,
        )
        kind = intent.classify(ctx.question)
        if kind == "injection":
            return self._say(_REFUSAL.format(company=self._company), facts)
        if kind == "greeting":
            return self._say(_GREETING, facts)
        if kind == "thanks":
            return self._say(_THANKS, facts)
        question = intent.question_part(ctx.question)
        if facts.wants_human and (not question or _HANDOFF_ASK.search(question)):
            return self._say(_HANDOFF_ACK, facts)
        if not question and (facts.changed or facts.declined):
            return self._say(acknowledge(facts), facts)
        return self._answer(question or ctx.question, ctx.passages, facts, asked=bool(question))

    def stream(self, ctx: TurnContext) -> Iterator[str | StreamReset | EngineReply]:
        """Yield the answer a few words at a time, then the whole reply."""
        reply = self.reply(ctx)
        words = reply.answer.split(" ")
        for start in range(0, len(words), 4):
            piece = " ".join(words[start : start + 4])
            yield piece if start == 0 else " " + piece
        yield reply

    def _say(self, text: str, facts: Facts) -> EngineReply:
        return EngineReply(
            answer=text,
            outcome="smalltalk",
            facts=facts,
            engine=self.name,
            prompt_version=PROMPT_VERSION,
        )

    def _answer(
        self, question: str, passages: list[SearchHit], facts: Facts, *, asked: bool
    ) -> EngineReply:
        relevant = [p for p in passages if p.score >= self._relevance_threshold]
        picks, best = self._pick(question, relevant[: self._max_passages])
        if not picks:
            if not asked:
                # A statement with nothing to answer is not a content gap.
                return self._say("Got it.", facts)
            return EngineReply(
                answer=_GAP,
                outcome="gap",
                best_score=best,
                facts=facts,
                engine=self.name,
                prompt_version=PROMPT_VERSION,
            )
        # Best passage first; within a passage, the document's own order reads naturally.
        lead: dict[str, float] = {}
        for p in picks:
            lead[p.hit.chunk_id] = max(lead.get(p.hit.chunk_id, -9.0), p.score)
        ordered = sorted(picks, key=lambda p: (-lead[p.hit.chunk_id], p.rank, p.position))
        citations: list[Citation] = []
        for pick in ordered:
            if all(c.document_id != pick.hit.document_id for c in citations):
                citations.append(
                    Citation(
                        document_id=pick.hit.document_id,
                        source=pick.hit.source,
                        title=pick.hit.title,
                    )
                )
        return EngineReply(
            answer=" ".join(_as_sentence(p.text) for p in ordered),
            citations=citations,
            outcome="answered",
            best_score=best,
            facts=facts,
            engine=self.name,
            prompt_version=PROMPT_VERSION,
        )

    def _pick(self, question: str, passages: list[SearchHit]) -> tuple[list[_Pick], float | None]:
        """Choose the best sentences (the top one, then close runners-up that add something).

        Returns them with the best similarity seen, even when nothing was good enough.
        """
        if not passages:
            return [], None
        query = self._embed_query(question)
        self._embed_missing(passages)
        candidates: list[_Pick] = []
        for rank, hit in enumerate(passages):
            sents = self._sentences(hit)
            sims: list[float] = (sents.vectors @ query).tolist() if sents.texts else []
            for pos, sim in enumerate(sims):
                text = sents.texts[pos]
                score = sim + rank_bonus(question, text, hit) - 0.005 * rank
                candidates.append(_Pick(sim, score, rank, pos, text, hit, sents.vectors[pos]))
        if not candidates:
            return [], None
        best_sim = max(c.sim for c in candidates)
        # Only sentences from passages that speak of what the question names may answer;
        # a passage whose headings name it gets a lower bar.
        bars = {
            h.chunk_id: self._sentence_threshold
            - (_HEADING_RELIEF if heading_matches(question, h) else 0.0)
            for h in passages
        }
        eligible = [
            c
            for c in candidates
            if c.sim >= bars[c.hit.chunk_id] and covers(question, c.hit, c.sim)
        ]
        eligible.sort(key=lambda c: (-c.score, c.rank, c.position))
        if not eligible:
            return [], best_sim
        top = eligible[0]
        floor = top.score - _JOIN_MARGIN
        chosen = [top]
        length = len(top.text)
        for cand in eligible[1:]:
            if len(chosen) >= _MAX_SENTENCES or cand.score < floor:
                break
            if length + len(cand.text) > _MAX_ANSWER_CHARS:
                continue
            # Another passage must be nearly as good as the best.
            other = cand.hit.chunk_id != top.hit.chunk_id
            if other and cand.score < top.score - _OTHER_PASSAGE_MARGIN:
                continue
            if any(float(cand.vector @ c.vector) >= _DUPLICATE_SIM for c in chosen):
                continue
            chosen.append(cand)
            length += len(cand.text)
        return self._with_antecedents(chosen), best_sim

    def _with_antecedents(self, chosen: list[_Pick]) -> list[_Pick]:
        """Add the sentence before one starting with a pronoun, so "It costs..." has a subject."""
        out = list(chosen)
        for pick in chosen:
            if pick.position == 0 or not _DANGLING.match(pick.text):
                continue
            if any(
                p.hit.chunk_id == pick.hit.chunk_id and p.position == pick.position - 1 for p in out
            ):
                continue
            sents = self._sentences(pick.hit)
            prev = pick.position - 1
            out.append(
                _Pick(
                    pick.sim,
                    pick.score,
                    pick.rank,
                    prev,
                    sents.texts[prev],
                    pick.hit,
                    sents.vectors[prev],
                )
            )
        return out

    def _embed_missing(self, passages: list[SearchHit]) -> None:
        """Split and embed every uncached passage in one batch (one model call, not five)."""
        with self._lock:
            missing = [p for p in passages if (p.chunk_id, hash(p.text)) not in self._cache]
        split = [split_sentences(p.text, p.heading_path) for p in missing]
        flat = [t for texts in split for t in texts]
        if not flat:
            for hit, texts in zip(missing, split, strict=True):
                self._store(hit, _Sentences(texts, np.zeros((0, 1), dtype=np.float32)))
            return
        vectors = np.asarray(self._embedder.embed_documents(flat), dtype=np.float32)
        start = 0
        for hit, texts in zip(missing, split, strict=True):
            self._store(hit, _Sentences(texts, vectors[start : start + len(texts)]))
            start += len(texts)

    def _store(self, hit: SearchHit, entry: _Sentences) -> None:
        with self._lock:
            self._cache[(hit.chunk_id, hash(hit.text))] = entry
            if len(self._cache) > _MAX_CACHED_CHUNKS:
                self._cache.popitem(last=False)

    def _sentences(self, hit: SearchHit) -> _Sentences:
        key = (hit.chunk_id, hash(hit.text))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        self._embed_missing([hit])
        with self._lock:
            return self._cache[key]

    def _embed_query(self, text: str) -> NDArray[np.float32]:
        with self._lock:
            cached = self._queries.get(text)
        if cached is None:
            cached = np.asarray(self._embedder.embed_query(text), dtype=np.float32)
            with self._lock:
                self._queries[text] = cached
                if len(self._queries) > 2048:
                    self._queries.popitem(last=False)
        return cached

    def warm(self, passages: list[SearchHit], batch: int = 64) -> None:
        """Split and embed passages ahead of time (benchmarks, start-up)."""
        for start in range(0, len(passages), batch):
            self._embed_missing(passages[start : start + batch])


def _as_sentence(text: str) -> str:
    """End a picked fragment with a full stop so the answer reads as sentences."""
    return text if text[-1:] in ".!?" else text.rstrip(";:,") + "."
