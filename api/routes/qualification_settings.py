"""The qualification policy (scoring matrix and stage rules): read, change, history."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from agent.policy import (
    QualificationPolicy,
    QualificationPolicyRecord,
    get_policy_record,
    latest_record,
    list_policy_history,
    load_active_policy,
    save_policy,
)
from api.deps import MarketerDep, ServicesDep, StaffDep

router = APIRouter(prefix="/v1/settings", tags=["qualification settings"])


class PolicyVersion(BaseModel):
    """One version of the qualification policy."""

    version: int
    policy: QualificationPolicy
    updated_at: datetime
    author: str


def _public(record: QualificationPolicyRecord) -> PolicyVersion:
    return PolicyVersion(
        version=record.version,
        policy=QualificationPolicy.model_validate(record.body),
        updated_at=record.created_at,
        author=record.author,
    )


def _seed(services: ServicesDep) -> None:
    try:
        load_active_policy(services.engine)  # seeds version 1 on a fresh database
    except ValueError as exc:  # BATON_QUALIFICATION_FILE is unreadable or invalid
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


def _active(services: ServicesDep) -> PolicyVersion:
    _seed(services)
    record = latest_record(services.engine)
    assert record is not None
    return _public(record)


@router.get("/qualification")
def get_qualification_policy(services: ServicesDep, _: StaffDep) -> PolicyVersion:
    """Return the active qualification policy: weights, points per status and stage rules."""
    return _active(services)


@router.put("/qualification")
def put_qualification_policy(
    body: QualificationPolicy, services: ServicesDep, principal: MarketerDep
) -> PolicyVersion:
    """Replace the qualification policy; the change becomes a new active version.

    The body is validated as a whole: the weights must sum to 100, points lie between
    -100 and 100, statuses must exist, and the sql rule must be reachable (its
    max_days within the mql rule's, its statuses not disqualifying). An invalid body is
    a 422 naming the field and the reason; nothing is stored.
    """
    _seed(services)
    version = save_policy(services.engine, body, author=principal.name)
    record = get_policy_record(services.engine, version)
    assert record is not None
    return _public(record)


@router.get("/qualification/history")
def get_qualification_history(services: ServicesDep, _: StaffDep) -> list[PolicyVersion]:
    """List every version of the qualification policy, newest first."""
    _seed(services)
    return [_public(r) for r in list_policy_history(services.engine)]
