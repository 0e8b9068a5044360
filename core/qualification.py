"""The BANT qualification state: one typed model used by the agent, the API and handoffs.

The JSON shape is a contract shared with sales tooling and reports; fields may be
added, never renamed or removed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

BudgetStatus = Literal["unknown", "none", "exploring", "allocated"]
AuthorityStatus = Literal["unknown", "decision_maker", "influencer", "no_authority"]
NeedStatus = Literal["unknown", "identified", "none"]
TimelineStatus = Literal["unknown", "stated", "none"]
Period = Literal["one_time", "monthly", "annual"]
Stage = Literal["unqualified", "mql", "sql", "disqualified"]
Field_ = Literal["budget", "authority", "need", "timeline"]
BANT_FIELDS: tuple[Field_, ...] = ("budget", "authority", "need", "timeline")


class Evidence(BaseModel):
    """Where a fact came from: the visitor's own words and the message that held them."""

    evidence: str | None = None
    message_id: str | None = None


class Budget(Evidence):
    """What the visitor can spend."""

    status: BudgetStatus = "unknown"
    amount: float | None = None
    amount_max: float | None = None
    currency: str | None = None
    period: Period | None = None


class Authority(Evidence):
    """Who decides."""

    status: AuthorityStatus = "unknown"
    role: str | None = None


class Need(Evidence):
    """The pain or use case the visitor stated."""

    status: NeedStatus = "unknown"
    summary: str | None = None


class Timeline(Evidence):
    """When they want to be live, as a number of days from the message."""

    status: TimelineStatus = "unknown"
    within_days: int | None = None


class Contact(BaseModel):
    """How sales can reach the visitor."""

    email: str | None = None
    name: str | None = None
    company: str | None = None
    phone: str | None = None

    def has_any(self) -> bool:
        """Tell whether any contact detail is known."""
        return any((self.email, self.name, self.company, self.phone))


class Qualification(BaseModel):
    """The whole BANT state of one conversation."""

    budget: Budget = Field(default_factory=Budget)
    authority: Authority = Field(default_factory=Authority)
    need: Need = Field(default_factory=Need)
    timeline: Timeline = Field(default_factory=Timeline)
    contact: Contact = Field(default_factory=Contact)
    score: int = Field(default=0, ge=0, le=100)
    stage: Stage = "unqualified"
