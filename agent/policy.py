"""The qualification policy: a versioned scoring matrix and stage rules marketers can tune."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, col, select

from core.clock import utcnow
from core.qualification import (
    AuthorityStatus,
    BudgetStatus,
    NeedStatus,
    Qualification,
    Stage,
    TimelineStatus,
)

DEFAULT_FILE = Path(__file__).resolve().parent / "default_qualification.yaml"
_Pct = Annotated[int, Field(ge=-100, le=100)]
_Weight = Annotated[int, Field(ge=0, le=100)]
_Days = Annotated[int, Field(ge=0, le=3650)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    """How much each field counts in the score; the weights sum to 100."""

    budget: _Weight
    authority: _Weight
    need: _Weight
    timeline: _Weight
    contact: _Weight = 0

    @model_validator(mode="after")
    def _sum_to_100(self) -> Weights:
        total = self.budget + self.authority + self.need + self.timeline + self.contact
        if total != 100:
            raise ValueError(f"weights must sum to 100, got {total}")
        return self


class TimelinePoints(_Strict):
    """Points for the timeline, which earns more the sooner it is."""

    unknown: _Pct = 0
    none: _Pct = 0
    within_sql_days: _Pct = 100
    within_mql_days: _Pct = 60
    later: _Pct = 30


class ContactPoints(_Strict):
    """Points for contact details: none, a name or company only, or a way to reach them."""

    none: _Pct = 0
    partial: _Pct = 50
    reachable: _Pct = 100


class Points(_Strict):
    """The share of each field's weight, in percent, that each status earns."""

    budget: dict[BudgetStatus, _Pct]
    authority: dict[AuthorityStatus, _Pct]
    need: dict[NeedStatus, _Pct]
    timeline: TimelinePoints = Field(default_factory=TimelinePoints)
    contact: ContactPoints = Field(default_factory=ContactPoints)


class DisqualifyRule(_Strict):
    """Statuses any one of which disqualifies the lead."""

    budget: list[BudgetStatus] = []
    authority: list[AuthorityStatus] = []
    need: list[NeedStatus] = []
    timeline: list[TimelineStatus] = []


class SqlRule(_Strict):
    """Statuses every listed field must have for a sales-qualified lead."""

    budget: list[BudgetStatus] = []
    authority: list[AuthorityStatus] = []
    need: list[NeedStatus] = []
    timeline: list[TimelineStatus] = []
    max_days: _Days = 90


class PositiveCriteria(_Strict):
    """Statuses that count as a positive signal for a marketing-qualified lead."""

    budget: list[BudgetStatus] = []
    authority: list[AuthorityStatus] = []
    timeline: list[TimelineStatus] = []


class MqlRule(_Strict):
    """The need, plus enough positive signals, or contact details, make a lead an MQL."""

    need: list[NeedStatus] = []
    positive: PositiveCriteria = Field(default_factory=PositiveCriteria)
    min_positive: int = Field(default=1, ge=0, le=3)
    max_days: _Days = 180
    contact_qualifies: bool = True


class Rules(_Strict):
    """The stage rules, checked in order: disqualified, sql, mql, else unqualified."""

    disqualify: DisqualifyRule
    sql: SqlRule
    mql: MqlRule

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        if self.sql.max_days > self.mql.max_days:
            raise ValueError(
                f"sql.max_days ({self.sql.max_days}) must not exceed "
                f"mql.max_days ({self.mql.max_days})"
            )
        for field in ("budget", "authority", "need", "timeline"):
            clash = set(getattr(self.sql, field)) & set(getattr(self.disqualify, field))
            if clash:
                raise ValueError(
                    f"sql.{field} requires {sorted(clash)}, which disqualify.{field} rejects"
                )
        clash = set(self.mql.need) & set(self.disqualify.need)
        if clash:
            raise ValueError(f"mql.need requires {sorted(clash)}, which disqualify.need rejects")
        if self.mql.need and self.sql.need and not set(self.sql.need) <= set(self.mql.need):
            raise ValueError("sql.need must be a subset of mql.need: an SQL lead is also an MQL")
        return self


class QualificationPolicy(_Strict):
    """A scoring matrix and stage rules, as marketers write them in YAML or JSON."""

    weights: Weights
    points: Points
    rules: Rules


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


def load_policy_file(path: Path) -> QualificationPolicy:
    """Read and validate a policy YAML file, or raise ValueError naming the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return QualificationPolicy.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"invalid qualification policy file {path}: {describe(exc)}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read qualification policy file {path}: {exc}") from exc


def describe(exc: ValidationError) -> str:
    """Summarise validation errors as "field.path: reason; ..." for people to read."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "policy"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


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
