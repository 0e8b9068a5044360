"""The qualification policy: a versioned scoring matrix and stage rules marketers can tune."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, col, select

from agent.policy_matrix import (
    ContactPoints,
    QualificationPolicy,
    describe,
    load_policy_file,
)
from core.clock import utcnow
from core.qualification import Qualification, Stage

__all__ = [
    "DEFAULT_FILE",
    "DEFAULT_POLICY",
    "PolicySettings",
    "QualificationPolicy",
    "QualificationPolicyRecord",
    "describe",
    "get_policy_record",
    "latest_record",
    "list_policy_history",
    "load_active_policy",
    "load_policy_file",
    "qualify",
    "save_policy",
    "score",
    "stage",
]

DEFAULT_FILE = Path(__file__).resolve().parent / "default_qualification.yaml"


class PolicySettings(BaseSettings):
    """Where the initial policy comes from (`BATON_QUALIFICATION_FILE`)."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore")

    qualification_file: Path | None = None


class QualificationPolicyRecord(SQLModel, table=True):
    """One version of the policy; the highest version is the active one."""

    __tablename__ = "qualification_policies"
    __table_args__ = (UniqueConstraint("version", name="uq_qualification_policies_version"),)

    id: str = SQLField(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    version: int = SQLField(index=True)
    body: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author: str = SQLField(max_length=200)
    created_at: datetime = SQLField(default_factory=utcnow)


DEFAULT_POLICY = load_policy_file(DEFAULT_FILE)


def qualify(q: Qualification, policy: QualificationPolicy) -> Qualification:
    """Return a copy of the state with its score and stage set by the policy."""
    return q.model_copy(update={"score": score(q, policy), "stage": stage(q, policy)})


def score(q: Qualification, policy: QualificationPolicy) -> int:
    """Score the state 0-100 from the policy's weights and points."""
    w, p = policy.weights, policy.points
    total = (
        w.budget * p.budget.get(q.budget.status, 0)
        + w.authority * p.authority.get(q.authority.status, 0)
        + w.need * p.need.get(q.need.status, 0)
        + w.timeline * _timeline_points(q, policy)
        + w.contact * _contact_points(q, p.contact)
    ) / 100
    return max(0, min(100, round(total)))


def stage(q: Qualification, policy: QualificationPolicy) -> Stage:
    """Decide the stage: disqualified, sql, mql, or unqualified, in that order."""
    rules = policy.rules
    d = rules.disqualify
    if (
        q.budget.status in d.budget
        or q.authority.status in d.authority
        or q.need.status in d.need
        or q.timeline.status in d.timeline
    ):
        return "disqualified"
    s = rules.sql
    if (
        _allowed(q.need.status, s.need)
        and _allowed(q.budget.status, s.budget)
        and _allowed(q.authority.status, s.authority)
        and _allowed(q.timeline.status, s.timeline)
        and (not s.timeline or _within(q, s.max_days))
    ):
        return "sql"
    m = rules.mql
    positives = sum(
        (
            q.budget.status in m.positive.budget,
            q.authority.status in m.positive.authority,
            q.timeline.status in m.positive.timeline and _within(q, m.max_days),
        )
    )
    if _allowed(q.need.status, m.need) and positives >= m.min_positive:
        return "mql"
    if m.contact_qualifies and q.contact.has_any():
        return "mql"
    return "unqualified"


def _allowed(status: str, statuses: list[Any]) -> bool:
    return not statuses or status in statuses


def _within(q: Qualification, days: int) -> bool:
    t = q.timeline
    return t.status == "stated" and t.within_days is not None and t.within_days <= days


def _timeline_points(q: Qualification, policy: QualificationPolicy) -> int:
    tp = policy.points.timeline
    if q.timeline.status != "stated":
        return tp.none if q.timeline.status == "none" else tp.unknown
    if _within(q, policy.rules.sql.max_days):
        return tp.within_sql_days
    if _within(q, policy.rules.mql.max_days):
        return tp.within_mql_days
    return tp.later


def _contact_points(q: Qualification, cp: ContactPoints) -> int:
    c = q.contact
    if c.email or c.phone:
        return cp.reachable
    return cp.partial if c.has_any() else cp.none


def load_active_policy(engine: Engine) -> tuple[int, QualificationPolicy]:
    """Return the active (version, policy), seeding version 1 from the file when none exists."""
    record = latest_record(engine)
    if record is None:
        path = PolicySettings().qualification_file
        initial = load_policy_file(path) if path else DEFAULT_POLICY
        # Another process may seed it first; then read theirs.
        with contextlib.suppress(IntegrityError):
            _insert(engine, initial, author="system", version=1)
        record = latest_record(engine)
        assert record is not None
    return record.version, QualificationPolicy.model_validate(record.body)


def save_policy(engine: Engine, policy: QualificationPolicy, *, author: str) -> int:
    """Store the policy as a new active version and return its number."""
    for _attempt in range(5):
        record = latest_record(engine)
        if record is None:
            load_active_policy(engine)  # version 1 is always the initial file
            continue
        try:
            return _insert(engine, policy, author=author, version=record.version + 1)
        except IntegrityError:
            continue  # a concurrent save took this number; take the next
    raise RuntimeError("could not save the qualification policy: too many concurrent saves")


def latest_record(engine: Engine) -> QualificationPolicyRecord | None:
    """Return the newest stored policy version, or None when there is none."""
    with Session(engine) as session:
        stmt = select(QualificationPolicyRecord).order_by(
            col(QualificationPolicyRecord.version).desc()
        )
        return session.exec(stmt.limit(1)).first()


def get_policy_record(engine: Engine, version: int) -> QualificationPolicyRecord | None:
    """Return one stored policy version, or None when it does not exist."""
    with Session(engine) as session:
        stmt = select(QualificationPolicyRecord).where(QualificationPolicyRecord.version == version)
        return session.exec(stmt).first()


def list_policy_history(engine: Engine) -> list[QualificationPolicyRecord]:
    """Return every stored policy version, newest first."""
    load_active_policy(engine)
    with Session(engine) as session:
        stmt = select(QualificationPolicyRecord).order_by(
            col(QualificationPolicyRecord.version).desc()
        )
        return list(session.exec(stmt).all())


def _insert(engine: Engine, policy: QualificationPolicy, *, author: str, version: int) -> int:
    with Session(engine) as session:
        session.add(
            QualificationPolicyRecord(version=version, body=policy.model_dump(), author=author)
        )
        session.commit()
    return version
