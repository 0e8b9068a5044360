"""The qualification policy's schema: weights, points per status and stage rules, validated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.qualification import AuthorityStatus, BudgetStatus, NeedStatus, TimelineStatus

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
