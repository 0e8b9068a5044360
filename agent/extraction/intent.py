"""Intent: a request for a human, and a refusal to share a field."""

from __future__ import annotations

import re

from agent.extraction._text import Clause, normalise

# A request comes from the visitor ("can we book a call?"); "people could book a meeting"
# or "it takes us a day to schedule the first call" describe, they do not ask.
_ASKER = (
    r"(?:can|could|may|shall) (?:i|we)|(?:i|we)(?:'d| would)? (?:like|love|want|need)|let's|lets|"
    r"wanna|please|how (?:do|can) (?:i|we)|happy to|keen to|open to"
)
_HUMAN = re.compile(
    r"\b(?:talk|speak|chat|connect|get in touch|put me in touch|be in touch|meet)\b.{0,25}?"
    r"\b(?:human|person|someone|somebody|sales|rep|representative|agent|team|people|expert|"
    r"specialist|account exec\w*|salesperson|founder|consultant)\b"
    r"|\bdemo\b(?! (?:video|page|site|account|recording|environment|requests?|bookings?|"
    r"signups?|leads?|forms?))"
    r"|\b(?:a|the|your|formal|price|pricing|written|custom) quote\b|\bquote (?:for|on)\b"
    r"|\b(?:quotation|proposal)\b"
    rf"|\b(?:{_ASKER})\b.{{0,25}}?\b(?:call|meeting|appointment|session|chat)\b"
    r"|\b(?:call|contact|ring|phone) me\b|\breal person\b"
    r"|\bhuman\b|\brepresentative\b|\bcontact (?:your )?sales\b|\bsales ?(?:call|rep|person)\b",
)
_NEGATED = re.compile(
    r"\b(?:no|not|don't|do not|doesn't|without|never|nor|no need for|rather not)\b[^.,]{0,20}?"
    r"\b(?:demo|call|calls|quote|human|person|meeting|sales|contact|talk|speak|reach|email)",
)
_DECLINE = re.compile(
    r"\b(?:rather not|prefer not|i'd prefer not|not (?:comfortable|willing|ready|able) (?:sharing|"
    r"to share|to say|to disclose|disclosing|to give)|not sharing|won't (?:share|say|tell|"
    r"disclose|give)|can't (?:share|say|disclose|tell|give)|cannot (?:share|say|disclose|tell)|"
    r"not (?:going|gonna) to (?:share|say|tell|give)|none of your business|no comment|"
    r"not at liberty|don't want to (?:share|say|tell|give|disclose)|i'll pass|pass on that|"
    r"skip (?:that|this)(?: one| question)?|not telling|not disclosing|keep (?:that|it) to myself|"
    r"(?:that's|it's|that is|it is|budget is|that info is) (?:confidential|private))\b",
)
_FIELD_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "budget",
        re.compile(r"\b(?:budget|money|spend|price|pricing|cost|numbers\b|figures?|amount)"),
    ),
    ("authority", re.compile(r"\b(?:decid|decision|role|title|boss|sign|authority|who)")),
    ("timeline", re.compile(r"\b(?:timeline|timeframe|when|date|deadline|timing)")),
    ("contact", re.compile(r"\b(?:e-?mail|phone|number\b|name|contact|details|mail|address)")),
    ("need", re.compile(r"\b(?:need|problem|use case|pain|challenge|project)")),
)


def wants_human(clauses: list[Clause]) -> bool:
    """Tell whether the visitor asks for a person, sales, a demo, a quote, a call or a meeting."""
    for clause in clauses:
        if clause.injection:
            continue
        text = normalise(clause.text)
        if _HUMAN.search(text) and not _NEGATED.search(text):
            return True
    return False


def find_declined(clauses: list[Clause], *, asked: str | None) -> list[str]:
    """Return the fields the visitor declines to share; a bare refusal applies to `asked`."""
    declined: list[str] = []
    for clause in clauses:
        if clause.injection:
            continue
        text = normalise(clause.text)
        if not _DECLINE.search(text):
            continue
        named = [field for field, pattern in _FIELD_WORDS if pattern.search(text)]
        if not named and asked:
            named = [asked]
        declined.extend(f for f in named if f not in declined)
    return declined
