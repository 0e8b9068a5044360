"""The deterministic summary and next step a rep reads in ten seconds, and a figure check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.qualification import Budget, Qualification
from handoff.models import TranscriptEntry

_PERIODS = {"one_time": "one-time", "monthly": "per month", "annual": "per year"}
_AUTHORITY = {
    "decision_maker": "decision maker",
    "influencer": "influences the decision",
    "no_authority": "not the decision maker",
}
_OBJECTIONS: dict[str, tuple[str, ...]] = {
    "price": (
        "expensive",
        "too much",
        "costly",
        "cheaper",
        "discount",
        "price",
        "pricing",
        "cost",
        "afford",
    ),
    "security": (
        "security",
        "secure",
        "gdpr",
        "soc 2",
        "soc2",
        "iso 27001",
        "compliance",
        "privacy",
        "encryption",
        "data protection",
        "hipaa",
    ),
    "competitor": (
        "competitor",
        "compared to",
        "versus",
        " vs ",
        "alternative",
        "switch from",
        "switching from",
        # No vendor names: the same name is a competitor for one company and an
        # integration for another (the demo company integrates with HubSpot).
    ),
}
_PROMISES = (
    "follow up",
    "follow-up",
    "reach out",
    "get in touch",
    "contact you",
    "be in touch",
    "call you",
    "e-mail you",
    "email you",
)
_QUESTION_START = re.compile(
    r"^(what|how|do|does|can|could|is|are|will|would|which|who|when|where|why)\b", re.I
)
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?\s*[kKmM]?(?![\w])")
_QUOTED = re.compile(r"“[^”]*”")


def format_amount(value: float) -> str:
    """Format an amount with thousands separators, decimals only when it has cents."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def describe_budget(budget: Budget) -> str | None:
    """Describe the budget with its amount or range, currency and period, as stated."""
    if budget.status == "none":
        return "no budget"
    if budget.amount is None:
        return {"exploring": "budget not set yet (exploring)", "allocated": "budget allocated"}.get(
            budget.status
        )
    figure = format_amount(budget.amount)
    if budget.amount_max is not None and budget.amount_max != budget.amount:
        figure += f" to {format_amount(budget.amount_max)}"
    text = f"{budget.currency} {figure}" if budget.currency else figure
    if budget.period:
        text += f" {_PERIODS[budget.period]}"
    if budget.status in ("exploring", "allocated"):
        text += f" ({budget.status})"
    return f"budget {text}"


def visitor_questions(transcript: list[TranscriptEntry], limit: int = 3) -> list[str]:
    """Return the visitor's latest questions, shortened to a line each."""
    found = []
    for entry in transcript:
        text = " ".join(entry.text.split())
        if entry.role != "visitor" or not text:
            continue
        if text.endswith("?") or _QUESTION_START.match(text):
            found.append(text if len(text) <= 90 else text[:87].rstrip() + "...")
    return found[-limit:]


def detect_objections(transcript: list[TranscriptEntry]) -> list[str]:
    """Return the concerns (price, security, competitor) the visitor raised."""
    visitor = " " + " ".join(e.text.lower() for e in transcript if e.role == "visitor") + " "
    return [name for name, words in _OBJECTIONS.items() if any(w in visitor for w in words)]


def detect_promise(transcript: list[TranscriptEntry], qualification: Qualification) -> str | None:
    """Describe what the agent told the visitor would happen next, if it promised anything."""
    said = " ".join(e.text.lower() for e in transcript if e.role == "assistant")
    if not any(p in said for p in _PROMISES):
        return None
    contact = qualification.contact
    if contact.email:
        return f"told them the team will follow up by e-mail ({contact.email})"
    if contact.phone:
        return "told them the team will follow up by phone"
    return "told them the team will follow up"


def build_summary(
    qualification: Qualification, transcript: list[TranscriptEntry], reason: str
) -> str:
    """Write the template summary: who, need, budget, timeline, questions, concerns, promise."""
    q = qualification
    sentences = [_who(q) + "."]
    if reason == "requested":
        sentences.append("Asked to talk to sales.")
    if q.need.status == "identified" and q.need.summary:
        sentences.append(f"Needs: {q.need.summary.rstrip('.')}.")
    elif q.need.status == "none":
        sentences.append("No clear need stated.")
    facts = [f for f in (describe_budget(q.budget), _describe_timeline(q)) if f]
    if facts:
        sentences.append(_capitalise("; ".join(facts)) + ".")
    questions = visitor_questions(transcript)
    if questions:
        sentences.append("Asked about: " + "; ".join(f"“{t}”" for t in questions) + ".")
    objections = detect_objections(transcript)
    if objections:
        sentences.append("Concerns raised: " + ", ".join(objections) + ".")
    promise = detect_promise(transcript, q)
    if promise:
        sentences.append(_capitalise(promise) + ".")
    sentences.append(f"Stage {q.stage}, score {q.score}.")
    return " ".join(sentences)


def recommend_next_step(qualification: Qualification, reason: str) -> str:
    """Recommend what the rep should do first, from the qualification state."""
    q = qualification
    reachable = bool(q.contact.email or q.contact.phone)
    if not reachable:
        return "Wait for contact details: no e-mail or phone captured yet, only the chat"
    timeline = q.timeline.within_days if q.timeline.status == "stated" else None
    if q.stage == "sql" or reason == "requested":
        reasons = []
        if q.authority.status == "decision_maker":
            reasons.append("decision maker")
        if q.budget.status == "allocated":
            reasons.append("budget allocated")
        if timeline is not None:
            reasons.append(f"live in {timeline} days")
        urgent = timeline is not None and timeline <= 90
        when = "this week" if urgent or q.stage == "sql" else "soon"
        step = f"Book a demo call {when}"
        if q.authority.status in ("influencer", "no_authority"):
            step += " and invite whoever signs off"
        return step + (": " + ", ".join(reasons) if reasons else "")
    if q.budget.status in ("unknown", "exploring"):
        return "Discovery call: confirm budget and who decides"
    return "Send relevant material and check in when their timeline firms up"


def state_figures(qualification: Qualification) -> set[float]:
    """Return every number the qualification state holds (the figures a summary may use)."""
    q = qualification
    values: Iterable[float | int | None] = (
        q.budget.amount,
        q.budget.amount_max,
        q.timeline.within_days,
        q.score,
    )
    return {float(v) for v in values if v is not None}


def unmatched_figures(
    summary: str, qualification: Qualification, visitor_text: str = ""
) -> list[str]:
    """Return the figures in a summary that neither the state nor the visitor's words hold."""
    allowed = state_figures(qualification)
    if qualification.timeline.within_days is not None:
        days = qualification.timeline.within_days
        allowed |= {float(days // 7), float(round(days / 30))}
    # Numbers the visitor said ("500 seats", "SOC 2") are theirs to repeat, not invented.
    allowed |= {_parse_figure(raw) for raw in _FIGURE.findall(visitor_text)}
    text = _QUOTED.sub("", summary)
    # Words the state holds verbatim (a company called 3M, "500 seats" in the need) are its own.
    c, q = qualification.contact, qualification
    for verbatim in (c.email, c.phone, c.name, c.company, q.authority.role, q.need.summary):
        if verbatim:
            text = text.replace(verbatim, "")
    return [raw.strip() for raw in _FIGURE.findall(text) if _parse_figure(raw) not in allowed]


def _parse_figure(raw: str) -> float:
    raw = raw.strip().replace(",", "")
    scale = {"k": 1e3, "m": 1e6}.get(raw[-1].lower(), 1.0)
    return float(raw.rstrip("kKmM").strip()) * scale


def _who(q: Qualification) -> str:
    name = q.contact.name or "Anonymous visitor"
    details = [d for d in (q.authority.role, q.contact.company) if d]
    who = f"{name} ({', '.join(details)})" if details else name
    authority = _AUTHORITY.get(q.authority.status)
    return f"{who}, {authority}" if authority else who


def _describe_timeline(q: Qualification) -> str | None:
    if q.timeline.status == "stated" and q.timeline.within_days is not None:
        return f"wants to be live within {q.timeline.within_days} days"
    if q.timeline.status == "none":
        return "no timeline"
    return None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
