"""Marketing insights: the funnel, rejection reasons, content attribution and content gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from agent import insights
from api.deps import ServicesDep, StaffDep

router = APIRouter(prefix="/v1/insights", tags=["insights"])

SinceQuery = Annotated[
    datetime | None, Query(description="Start of the period (default: 30 days ago).")
]


class Rejections(BaseModel):
    """Rejection reasons since a date, most frequent first."""

    since: datetime
    total: int
    reasons: list[insights.RejectionReason]


class Attribution(BaseModel):
    """Documents cited in conversations, ranked by the deals and sql leads they touched."""

    since: datetime
    documents: list[insights.AttributedDocument]


class ContentGaps(BaseModel):
    """Groups of similar unanswered questions, largest first."""

    since: datetime
    total: int
    groups: list[insights.GapCluster]


@router.get("/funnel", response_model=insights.Funnel)
def funnel(
    services: ServicesDep,
    _principal: StaffDep,
    bucket: insights.Bucket = "day",
    since: SinceQuery = None,
) -> insights.Funnel:
    """Count conversations, mql, sql, handoffs, accepted and won per day or week."""
    now = services.clock.now()
    start = _since(since, now)
    if (now - start).days > 3660:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since: at most ten years ago")
    return insights.build_funnel(services.engine, bucket=bucket, since=start, until=now)


@router.get("/rejections", response_model=Rejections)
def rejections(services: ServicesDep, _principal: StaffDep, since: SinceQuery = None) -> Rejections:
    """List why sales rejected handoffs, with counts and the reps' notes."""
    start = _since(since, services.clock.now())
    reasons = insights.count_rejections(services.engine, since=start)
    return Rejections(since=start, total=sum(r.count for r in reasons), reasons=reasons)


@router.get("/attribution", response_model=Attribution)
def attribution(
    services: ServicesDep, _principal: StaffDep, since: SinceQuery = None
) -> Attribution:
    """List knowledge documents cited in conversations that became sql or were won."""
    start = _since(since, services.clock.now())
    return Attribution(
        since=start, documents=insights.attribute_documents(services.engine, since=start)
    )


@router.get("/content-gaps", response_model=ContentGaps)
def content_gaps(
    services: ServicesDep,
    _principal: StaffDep,
    since: SinceQuery = None,
    threshold: Annotated[float, Query(gt=0, le=1, description="Cosine to join a group.")] = 0.55,
) -> ContentGaps:
    """Group the questions the agent could not answer by similarity, with counts and examples."""
    start = _since(since, services.clock.now())
    groups = insights.cluster_content_gaps(
        services.engine, services.knowledge.embedder, since=start, threshold=threshold
    )
    return ContentGaps(since=start, total=sum(g.count for g in groups), groups=groups)


def _since(since: datetime | None, now: datetime) -> datetime:
    if since is None:
        return now - timedelta(days=30)
    return since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
