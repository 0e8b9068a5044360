"""The offline engine: extractive answers from retrieved passages, no model, deterministic.

An answer is made only of sentences copied from the passages, chosen by embedding
similarity to the question, so it can never state a fact the cited text does not hold.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agent import intent
from agent.engine import StreamReset, TurnContext
from agent.extraction import extract
from agent.models import Citation, EngineReply, Facts
from knowledge.embeddings import Embedder
from knowledge.models import SearchHit

PROMPT_VERSION = "offline-1"
_MAX_SENTENCES = 3
_MAX_ANSWER_CHARS = 600
# Sentences within this margin of the best one are relevant enough to join it.
_JOIN_MARGIN = 0.10
# Two sentences this similar say the same thing; keep one.
_DUPLICATE_SIM = 0.92
_MAX_CACHED_CHUNKS = 50_000

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9$€£])")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_FIGURE = re.compile(r"[$€£]\s?\d|\d+\s?%|\b\d[\d,.]*\b")
_SEE_ALSO = re.compile(r"^(?:see|read|learn more|more in|details in)\b", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+&.-]*[A-Za-z0-9+]|[A-Za-z0-9]")
# Above this similarity a sentence is trusted whatever words it uses; between the fair
# and the confident level the question's names must appear; below, its words too.
_CONFIDENT_SIM = 0.6
_FAIR_SIM = 0.5
_STOPWORD_TEXT = """
a an the and or but if then so to of in on at by for with from into about as is are was
were be been being am do does did doing have has had having can could will would should
shall may might must i me my we us our ours you your yours it its they them their this
that these those there here what whats what's which who whom whose when where why how
much many any some all each every no not yes please tell know want need like get got use
using used offer offers provide provides support supports work works working also just
really very hi hello hey thanks thank ok okay there's it's im i'm we're you're doesn't
anything something way ways more most other else than too one kind sort lot lots
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
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
_ACK = "Thanks, that's helpful."
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
        max_passages: int = 4,
    ) -> None:
        self._embedder = embedder
        self._sentence_threshold = sentence_threshold
        self._relevance_threshold = relevance_threshold
        self._company = company
        self._max_passages = max_passages
        # Sentence embeddings per chunk: a chunk is split and embedded once per process.
        self._cache: OrderedDict[tuple[str, int], _Sentences] = OrderedDict()
        self._queries: OrderedDict[str, NDArray[np.float32]] = OrderedDict()

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
            return self._say(_ACK, facts)
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
        ordered = sorted(picks, key=lambda p: (p.rank, p.position))
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
            answer=" ".join(p.text for p in ordered),
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
        candidates: list[_Pick] = []
        for rank, hit in enumerate(passages):
            sents = self._sentences(hit)
            if not sents.texts:
                continue
            sims = sents.vectors @ query
            for pos, sim in enumerate(sims.tolist()):
                candidates.append(_Pick(sim, rank, pos, sents.texts[pos], hit, sents.vectors[pos]))
        candidates.sort(key=lambda c: (-c.sim, c.rank, c.position))
        if not candidates:
            return [], None
        top = candidates[0]
        if top.sim < self._sentence_threshold or not _covers(question, top.hit, top.sim):
            return [], top.sim
        floor = max(self._sentence_threshold, top.sim - _JOIN_MARGIN)
        chosen = [top]
        length = len(top.text)
        for cand in candidates[1:]:
            if len(chosen) >= _MAX_SENTENCES or cand.sim < floor:
                break
            if length + len(cand.text) > _MAX_ANSWER_CHARS:
                continue
            if any(float(cand.vector @ c.vector) >= _DUPLICATE_SIM for c in chosen):
                continue
            chosen.append(cand)
            length += len(cand.text)
        return self._with_antecedents(chosen), top.sim

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
                _Pick(pick.sim, pick.rank, prev, sents.texts[prev], pick.hit, sents.vectors[prev])
            )
        return out

    def _sentences(self, hit: SearchHit) -> _Sentences:
        key = (hit.chunk_id, hash(hit.text))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        texts = split_sentences(hit.text, hit.heading_path)
        vectors = (
            np.asarray(self._embedder.embed_documents(texts), dtype=np.float32)
            if texts
            else np.zeros((0, 1), dtype=np.float32)
        )
        entry = _Sentences(texts, vectors)
        self._cache[key] = entry
        if len(self._cache) > _MAX_CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return entry

    def _embed_query(self, text: str) -> NDArray[np.float32]:
        cached = self._queries.get(text)
        if cached is None:
            cached = np.asarray(self._embedder.embed_query(text), dtype=np.float32)
            self._queries[text] = cached
            if len(self._queries) > 2048:
                self._queries.popitem(last=False)
        return cached

    def warm(self, passages: list[SearchHit]) -> None:
        """Split and embed passages ahead of time (benchmarks, start-up)."""
        missing = [p for p in passages if (p.chunk_id, hash(p.text)) not in self._cache]
        for hit in missing:
            self._sentences(hit)


def _covers(question: str, hit: SearchHit, sim: float) -> bool:
    """Tell whether the passage speaks of what the question names, not just something near it.

    Embeddings rate "Do you support Microsoft Dynamics?" close to a passage about Microsoft
    sign-in; every name the question uses must appear in the passage, and, below a
    confident similarity, most of its other content words too.
    """
    if sim >= _CONFIDENT_SIM:
        return True
    haystack = f"{hit.title} {hit.text}".lower()
    names, words = _terms(question)
    if any(not _mentions(haystack, n) for n in names):
        return False
    if sim >= _FAIR_SIM or not words:
        return True
    found = sum(1 for w in words if _mentions(haystack, w))
    return found * 3 >= len(words) * 2


def _terms(question: str) -> tuple[list[str], list[str]]:
    """Split a question's content words into names (capitalised, acronyms, figures) and others."""
    names: list[str] = []
    words: list[str] = []
    tokens = _TOKEN.findall(question)
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in _STOPWORDS or len(low) < 2:
            continue
        is_name = (
            any(ch.isdigit() for ch in token)
            or (i > 0 and token[:1].isupper() and low not in _STOPWORDS)
            or (len(token) > 1 and token.isupper())
        )
        (names if is_name else words).append(low)
    return names, [w for w in words if len(w) >= 3]


def _mentions(haystack: str, term: str) -> bool:
    """Find a term or its stem ("integrate" → "integration", "offices" → "office")."""
    stem = term[:5] if len(term) >= 6 else term.rstrip("s") if len(term) > 3 else term
    return stem in haystack


def split_sentences(text: str, heading_path: list[str] | None = None) -> list[str]:
    """Split a passage into answerable sentences: prose only, markup removed.

    Headings are dropped unless they state a figure ("Growth — $49 per seat per month").
    """
    headings = [h.strip() for h in heading_path or [] if h.strip()]
    lowered = {h.lower() for h in headings}
    out: list[str] = []
    if headings and _FIGURE.search(headings[-1]) and len(headings[-1].split()) >= 4:
        out.append(headings[-1])
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("|") or line.startswith("#"):
            # Table rows mean nothing without their header.
            continue
        line = _LINK.sub(r"\1", _EMPHASIS.sub("", _MARKUP.sub("", line))).strip()
        if line.lower() in lowered or " > " in line:
            continue
        for sentence in _BOUNDARY.split(line):
            if _answerable(sentence.strip()):
                out.append(sentence.strip())
    return out


def _answerable(sentence: str) -> bool:
    """Keep whole statements: not list fragments, not lead-ins, not cross-references."""
    words = len(sentence.split())
    first = sentence[:1]
    if words < 4 or not (first.isupper() or first.isdigit() or first in "$€£\"'("):
        return False
    if sentence.endswith((":", ",", " and", " or")) or _SEE_ALSO.match(sentence):
        return False
    return words >= 6 or sentence[-1:] in ".!?;)"
