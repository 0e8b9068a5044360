"""Feedback to marketing: the funnel, rejection reasons, cited-content attribution, content gaps."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.models import ContentGap, Conversation, Message, QualificationEvent
from handoff.models import Handoff
from knowledge.embeddings import Embedder

Bucket = Literal["day", "week"]
FUNNEL_STEPS = ("conversations", "mql", "sql", "handoffs", "accepted", "won")
_REACHED = {"mql": ("mql", "sql"), "sql": ("sql",)}


class FunnelBucket(BaseModel):
    """Counts of one day or week (`start` is the day, or the Monday of the week)."""

    start: date
    conversations: int = 0
    mql: int = 0
    sql: int = 0
    handoffs: int = 0
    accepted: int = 0
    won: int = 0


class Funnel(BaseModel):
    """The funnel per bucket and in total since a date."""

    bucket: Bucket
    since: datetime
    buckets: list[FunnelBucket]
    totals: dict[str, int]


class RejectionReason(BaseModel):
    """How often sales gave one rejection reason, with the latest notes."""

    reason: str
    count: int
    notes: list[dict[str, Any]]


class AttributedDocument(BaseModel):
    """A knowledge document and the conversations it was cited in, by how far they went."""

    document_id: str
    source: str
    title: str
    cited_conversations: int
    sql_conversations: int
    won_conversations: int


class GapCluster(BaseModel):
    """Similar questions the agent could not answer."""

    question: str
    count: int
    examples: list[str]
    last_asked_at: datetime
    conversation_ids: list[str]


def build_funnel(engine: Engine, *, bucket: Bucket, since: datetime, until: datetime) -> Funnel:
    """Count conversations, mql, sql, handoffs, accepted and won per day or week."""
    rows: dict[date, FunnelBucket] = {}
    start = _bucket_start(since, bucket)
    while start <= _bucket_start(until, bucket):
        rows[start] = FunnelBucket(start=start)
        start += timedelta(days=7 if bucket == "week" else 1)

    def count(step: str, at: datetime | None) -> None:
        if at is None:
            return
        at = _aware(at)
        if since <= at <= until:
            row = rows[_bucket_start(at, bucket)]
            setattr(row, step, getattr(row, step) + 1)

    with Session(engine) as session:
        conversations = session.exec(
            select(Conversation.id, Conversation.created_at, Conversation.stage).where(
                col(Conversation.created_at) >= since
            )
        ).all()
        events = session.exec(
            select(QualificationEvent)
            .where(col(QualificationEvent.field) == "stage")
            .where(col(QualificationEvent.created_at) >= since)
            .order_by(col(QualificationEvent.created_at))
        ).all()
        handoffs = session.exec(
            select(Handoff).where(
                (col(Handoff.created_at) >= since)
                | (col(Handoff.decided_at) >= since)
                | (col(Handoff.closed_at) >= since)
            )
        ).all()
    reached: dict[str, dict[str, datetime]] = {"mql": {}, "sql": {}}
    for event in events:
        stage = (event.after or {}).get("stage")
        for step, stages in _REACHED.items():
            if stage in stages:
                reached[step].setdefault(event.conversation_id, event.created_at)
    for conversation_id, created_at, stage in conversations:
        count("conversations", created_at)
        for step, stages in _REACHED.items():
            # A conversation whose stage history is missing still counts once, when it began.
            if stage in stages:
                reached[step].setdefault(conversation_id, created_at)
    for step in ("mql", "sql"):
        for at in reached[step].values():
            count(step, at)
    for handoff in handoffs:
        count("handoffs", handoff.created_at)
        if handoff.status in ("accepted", "won", "lost"):
            count("accepted", handoff.decided_at)
        if handoff.status == "won":
            count("won", handoff.closed_at)
    buckets = list(rows.values())
    totals = {step: sum(getattr(b, step) for b in buckets) for step in FUNNEL_STEPS}
    return Funnel(bucket=bucket, since=since, buckets=buckets, totals=totals)


def count_rejections(engine: Engine, *, since: datetime, notes: int = 10) -> list[RejectionReason]:
    """Return rejection reasons, most frequent first, each with its latest notes."""
    with Session(engine) as session:
        rows = session.exec(
            select(Handoff)
            .where(col(Handoff.status) == "rejected", col(Handoff.decided_at) >= since)
            .order_by(col(Handoff.decided_at).desc())
        ).all()
    grouped: dict[str, list[Handoff]] = defaultdict(list)
    for row in rows:
        grouped[row.rejection_reason or "other"].append(row)
    result = [
        RejectionReason(
            reason=reason,
            count=len(items),
            notes=[
                {"handoff_id": h.id, "note": h.rejection_note, "at": h.decided_at}
                for h in items
                if h.rejection_note
            ][:notes],
        )
        for reason, items in grouped.items()
    ]
    return sorted(result, key=lambda r: (-r.count, r.reason))


def attribute_documents(engine: Engine, *, since: datetime) -> list[AttributedDocument]:
    """Return the documents cited in conversations, with how many became sql or were won."""
    with Session(engine) as session:
        messages = session.exec(
            select(Message.conversation_id, Message.citations).where(
                col(Message.role) == "assistant", col(Message.created_at) >= since
            )
        ).all()
        sql_ids = set(
            session.exec(select(Conversation.id).where(col(Conversation.stage) == "sql")).all()
        )
        sql_ids |= {
            e.conversation_id
            for e in session.exec(
                select(QualificationEvent).where(col(QualificationEvent.field) == "stage")
            ).all()
            if (e.after or {}).get("stage") == "sql"
        }
        won_ids = set(
            session.exec(select(Handoff.conversation_id).where(col(Handoff.status) == "won")).all()
        )
    documents: dict[str, dict[str, str]] = {}
    cited: dict[str, set[str]] = defaultdict(set)
    for conversation_id, citations in messages:
        for citation in citations or []:
            doc = str(citation.get("document_id", ""))
            if doc:
                documents.setdefault(doc, citation)
                cited[doc].add(conversation_id)
    result = [
        AttributedDocument(
            document_id=doc,
            source=str(documents[doc].get("source", "")),
            title=str(documents[doc].get("title", "")),
            cited_conversations=len(conversations),
            sql_conversations=len(conversations & sql_ids),
            won_conversations=len(conversations & won_ids),
        )
        for doc, conversations in cited.items()
    ]
    return sorted(
        result,
        key=lambda d: (-d.won_conversations, -d.sql_conversations, -d.cited_conversations, d.title),
    )


def cluster_content_gaps(
    engine: Engine,
    embedder: Embedder,
    *,
    since: datetime,
    threshold: float = 0.55,
    examples: int = 3,
) -> list[GapCluster]:
    """Group unanswered questions by meaning (greedy, cosine to each group's centroid)."""
    with Session(engine) as session:
        gaps = session.exec(
            select(ContentGap)
            .where(col(ContentGap.created_at) >= since)
            .order_by(col(ContentGap.created_at))
        ).all()
    if not gaps:
        return []
    vectors = np.asarray(embedder.embed_documents([g.question for g in gaps]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sums = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    groups: list[list[ContentGap]] = []
    for gap, vector in zip(gaps, vectors, strict=True):
        if groups:
            centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
            scores = centroids @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                groups[best].append(gap)
                sums[best] += vector
                continue
        groups.append([gap])
        sums = np.vstack([sums, vector])
    clusters = [_to_cluster(members, examples) for members in groups]
    return sorted(clusters, key=lambda c: (-c.count, -c.last_asked_at.timestamp()))


def _to_cluster(members: list[ContentGap], examples: int) -> GapCluster:
    texts = Counter(" ".join(m.question.split()) for m in members)
    distinct = [text for text, _ in texts.most_common()]
    return GapCluster(
        question=distinct[0],
        count=len(members),
        examples=distinct[:examples],
        last_asked_at=_aware(max(m.created_at for m in members)),
        conversation_ids=sorted({m.conversation_id for m in members}),
    )


def _bucket_start(at: datetime, bucket: Bucket) -> date:
    day = _aware(at).date()
    return day - timedelta(days=day.weekday()) if bucket == "week" else day


def _aware(at: datetime) -> datetime:
    # Agent tables come back from SQLite without their (UTC) zone.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
