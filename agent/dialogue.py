"""The dialogue policy: after the answer, at most one qualifying question, asked like a good SDR.

Order of questions: need → timeline → authority → budget → contact.
- Need first: it is what the visitor came for, and every later question can refer to it.
- Timeline next: easy to answer, and it tells sales how urgent the lead is.
- Authority third: once a real need and date are on the table, "who decides" reads as help.
- Budget last among BANT: the most sensitive question, asked once there is rapport.
- Contact only when a handoff is due, or once everything else is known or skipped.
The visitor never sees scores or stages; this module only chooses words.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from agent.models import Facts
from core.qualification import Qualification

QUESTION_ORDER: tuple[str, ...] = ("need", "timeline", "authority", "budget")
# A field the visitor ignored may come back once later, never more.
_MAX_ASKS = 2

_NEED = (
    "What are you hoping to solve with {company}?",
    "What's the main problem you'd like to fix — for example, how leads get routed today?",
    "Could you tell me a bit about what you're working on, so I can point you to the right things?",
)
_NEED_TOPIC = (
    "What got you looking into {topic}?",
    "What's prompting you to look at {topic}?",
)
_TIMELINE = (
    "When would you like to have something in place?",
    "Is there a date you're working towards?",
    "How soon are you hoping to get this running?",
)
_TIMELINE_NEED = (
    'You mentioned "{need}" — when would you like a fix in place?',
    'For "{need}", is there a date you\'re working towards?',
    'When would you like to have "{need}" sorted?',
)
_AUTHORITY = (
    "Who else would be involved in choosing a tool like this?",
    "Are you the one deciding on this, or is someone else involved?",
    "What's your role on the team, if you don't mind me asking?",
)
_AUTHORITY_NEED = (
    'Who else would be involved in choosing a tool for "{need}"?',
    'You mentioned "{need}" — would you be making the call on it, or is someone else involved?',
)
_BUDGET = (
    "Have you set aside a budget for this yet?",
    "Do you have a rough budget in mind, monthly or yearly?",
    "Is there a budget range you're working within?",
)
_BUDGET_NEED = (
    'Have you set aside a budget for "{need}" yet?',
    'Is there a budget range you\'re working within for "{need}"?',
)
_CONTACT = (
    "If you'd like, leave your e-mail and someone from our team can send you the details.",
    "Would you like to leave your e-mail so our team can follow up with more details?",
)
_HANDOFF_ASK_EMAIL = (
    "I'll pass this on to our team so they can follow up. What's the best e-mail to reach you?",
    "Our team will follow up with you. What e-mail address should they use?",
)
_HANDOFF_CONFIRM = "Thanks! I've passed this on to our team — they'll follow up at {email}."
_HANDOFF_NO_EMAIL = "No problem — our team is happy to help whenever you're ready."
_DECLINE_ACK = "No problem, we can skip that."

_FIRST_PERSON = re.compile(r"^(?:i|i'm|im|we|we're|our|my|us)\b", re.I)


@dataclass(frozen=True)
class DialogueState:
    """What the dialogue knows about the conversation before this turn."""

    conversation_id: str
    asked: list[str] = field(default_factory=list)
    last_asked: str | None = None
    declined: list[str] = field(default_factory=list)
    handoff_confirmed: bool = False
    # A handoff exists, so the visitor was already told the team will follow up.
    handoff_announced: bool = False


@dataclass(frozen=True)
class FollowUp:
    """What to add after the answer, and what was asked (for the next turn's extraction)."""

    text: str | None
    asked: str | None
    handoff_confirmed: bool


def compose_follow_up(
    state: DialogueState,
    qualification: Qualification,
    *,
    outcome: str,
    newly_declined: list[str],
    handoff_due: bool,
    wants_human_now: bool,
    topic: str | None = None,
    company: str = "Relaypoint",
) -> FollowUp:
    """Choose what follows the answer: a decline acknowledgement, a handoff line, a question."""
    lines: list[str] = [_DECLINE_ACK] if newly_declined else []
    declined = set(state.declined) | set(newly_declined)
    if handoff_due:
        handoff = _handoff_line(state, qualification, declined, wants_human_now)
        if handoff is not None:
            text, asked, confirmed = handoff
            return FollowUp(" ".join([*lines, text]), asked, confirmed)
    if outcome in ("gap", "error"):
        # The answer already offers the team; a second question would be one too many.
        return FollowUp(" ".join(lines) or None, "human", state.handoff_confirmed)
    if qualification.stage == "disqualified":
        return FollowUp(" ".join(lines) or None, None, state.handoff_confirmed)
    target = next_field(state, qualification, declined)
    if target is not None:
        lines.append(_phrase(state, target, qualification, topic, company))
    return FollowUp(" ".join(lines) or None, target, state.handoff_confirmed)


def next_field(state: DialogueState, q: Qualification, declined: set[str]) -> str | None:
    """Return the most useful field to ask about now, or None when nothing should be asked."""
    statuses = {
        "need": q.need.status,
        "timeline": q.timeline.status,
        "authority": q.authority.status,
        "budget": q.budget.status,
    }
    candidates = [
        f
        for f in QUESTION_ORDER
        if statuses[f] == "unknown" and f not in declined and state.asked.count(f) < _MAX_ASKS
    ]
    # Contact comes last, and only once there is a need worth following up on.
    wants_contact = q.need.status == "identified" and not q.contact.email
    if not candidates and wants_contact and "contact" not in declined:
        candidates = ["contact"] if state.asked.count("contact") < _MAX_ASKS else []
    for name in candidates:
        if name != state.last_asked:
            return name
    return None


def _handoff_line(
    state: DialogueState, q: Qualification, declined: set[str], wants_human_now: bool
) -> tuple[str, str | None, bool] | None:
    """Ask for an e-mail, or confirm the follow-up once, or None when already said."""
    if q.contact.email:
        if state.handoff_confirmed:
            return None
        return _HANDOFF_CONFIRM.format(email=q.contact.email), None, True
    if "contact" in declined:
        return (_HANDOFF_NO_EMAIL, None, False) if wants_human_now else None
    if state.handoff_announced and state.last_asked == "contact" and not wants_human_now:
        return None  # asked for the e-mail last turn; do not nag
    return _choose(state, "handoff", _HANDOFF_ASK_EMAIL), "contact", False


def _phrase(
    state: DialogueState, target: str, q: Qualification, topic: str | None, company: str
) -> str:
    """Phrase the question for a field, in the context of what the visitor said."""
    need = _need_phrase(q)
    if target == "need":
        if topic:
            return _choose(state, target, _NEED_TOPIC).format(topic=topic)
        return _choose(state, target, _NEED).format(company=company)
    if target == "contact":
        return _choose(state, target, _CONTACT)
    plain = {"timeline": _TIMELINE, "authority": _AUTHORITY, "budget": _BUDGET}[target]
    contextual = {
        "timeline": _TIMELINE_NEED,
        "authority": _AUTHORITY_NEED,
        "budget": _BUDGET_NEED,
    }[target]
    if need:
        return _choose(state, target, contextual).format(need=need)
    return _choose(state, target, plain)


def _need_phrase(q: Qualification) -> str | None:
    """Return the stated need as a phrase that reads well inside a question, if it does."""
    summary = (q.need.summary or "").strip().strip("\"'").rstrip(".!?,;")
    if not summary or len(summary) > 60 or "\n" in summary or _FIRST_PERSON.match(summary):
        return None
    if summary[:1].isupper() and summary[1:2].islower():
        summary = summary[0].lower() + summary[1:]
    return summary


def _choose(state: DialogueState, key: str, options: tuple[str, ...]) -> str:
    """Pick a phrasing: varied across conversations and asks, identical on replay."""
    seed = f"{state.conversation_id}:{key}:{state.asked.count(key)}"
    digest = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)
    return options[digest % len(options)]


# Titles that name a kind of page rather than a subject read oddly in a question
# ("What got you looking into frequently asked questions?").
_PAGE_WORDS = frozenset(
    [
        "overview",
        "faq",
        "questions",
        "changelog",
        "glossary",
        "pricing",
        "plans",
        "support",
        "about",
        "home",
        "documentation",
        "developers",
        "programs",
        "terms",
        "policy",
        "summary",
        "requirements",
    ]
)


def acknowledge(facts: Facts) -> str:
    """Say back, briefly, what the visitor just told us (only their own facts)."""
    q = facts.qualification
    if "budget" in facts.changed and q.budget.status in ("allocated", "exploring"):
        if q.budget.amount is not None or q.budget.amount_max is not None:
            return f"Got it: a budget of {_budget_phrase(q)}."
        return "Got it, thanks for the budget context."
    if "timeline" in facts.changed and q.timeline.within_days is not None:
        return f"Noted: you'd like something in place within {q.timeline.within_days} days."
    if "authority" in facts.changed and q.authority.role:
        return f"Thanks, good to know you're the {q.authority.role}."
    if "need" in facts.changed:
        return "Understood, thanks for explaining what you're up against."
    if facts.declined and not facts.changed:
        return "No problem, we can skip that."
    if any(f.startswith("contact") for f in facts.changed):
        # The follow-up confirms the hand-over with its own thanks; don't thank twice.
        return "Got your details."
    return "Thanks, that's helpful."


def _budget_phrase(q: Qualification) -> str:
    b = q.budget
    cur = f"{b.currency} " if b.currency else ""
    if b.amount is not None and b.amount_max is not None:
        money = f"{cur}{b.amount:,.0f} to {b.amount_max:,.0f}"
    elif b.amount is not None:
        money = f"{cur}{b.amount:,.0f}"
    else:
        money = f"up to {cur}{b.amount_max:,.0f}"
    period = {"annual": " a year", "monthly": " a month", "one_time": " one-off"}
    return money + (period.get(b.period, "") if b.period else "")


def topic_of(title: str | None, company: str = "") -> str | None:
    """Turn a cited title into a topic for a question ("Lead routing" → "lead routing")."""
    if not title or len(title) > 40:
        return None
    lowered = title.lower()
    if company and company.lower() in lowered:
        return None
    if _PAGE_WORDS & set(re.findall(r"[a-z]+", lowered)):
        return None
    words = title.split()
    if sum(1 for w in words[1:] if w[:1].isupper()) > 0:
        return None  # proper names would read oddly once lower-cased
    return title[0].lower() + title[1:]
