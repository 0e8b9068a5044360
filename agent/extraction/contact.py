"""Contact details: a validated e-mail, a phone number, a name and a company."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from agent.extraction._text import Clause, find_emails, find_phones, scrub_contacts
from core.qualification import Contact

_NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
# Capitalised words that follow "I'm" or "this is" without being a name.
_NOT_NAMES_TEXT = (
    "the a an not just here from with sorry fine good ok okay also actually still currently "
    "looking interested trying evaluating curious new happy glad hoping working based in on "
    "head director founder cofounder co-founder owner president vice chief manager intern "
    "student lead engineer developer analyst consultant ready responsible part using afraid "
    "sure thinking wondering planning calling writing reaching contacting asking going "
    "getting really very super so too pretty quite dana's hi hello hey thanks thank yes no "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december enterprise pro starter basic "
    "premium pricing baton "
)
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_NAME_PATTERNS = (
    re.compile(rf"\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame's|[Nn]ame is|[Nn]ame:)\s+{_NAME}"),
    re.compile(rf"\b(?:I'm|I am|Im|I\u2019m|[Tt]his is|[Ii]t's|[Ii]t is)\s+{_NAME}"),
    re.compile(rf"\b[Cc]all me\s+{_NAME}\b(?!\s+(?:at|on)\b)"),
    re.compile(rf"^\W*{_NAME}\s+(?:here\b|from\s+[A-Z])"),
    re.compile(rf"(?:[Tt]hanks|[Tt]hank you|[Cc]heers|[Rr]egards|[Bb]est),?\s+{_NAME}\W*$"),
)
_LOWER_NAME = re.compile(
    r"\b(?:my name is|my name's|name's|call me)\s+(?P<name>[a-z][a-z'-]+(?:\s+(?!and\b|from\b|"
    r"at\b|i\b|we\b|with\b)[a-z][a-z'-]+)?)\b(?!\s+(?:at|on)\b)"
)
_ORG_WORD = r"(?!I\b|I'm\b)(?:[A-Z0-9][\w&.'-]*|&)"
_ORG = (
    rf"(?P<org>(?=[A-Z]|\d+[A-Za-z]){_ORG_WORD}"
    rf"(?:\s+(?:{_ORG_WORD}|of|and|de|for)(?=\s+[A-Z0-9]|\s*$|[\s,.!?;]))*)"
)
_ORG_PATTERNS = (
    re.compile(rf"\b(?:I work|I'm working|[Ww]orking|I am working)\s+(?:at|for|with)\s+{_ORG}"),
    re.compile(
        rf"\b(?:I'm|I am|Im|[Tt]his is|[Ii]t's)\s+(?:[\w'-]+,?\s+){{0,5}}?(?:from|at|with|@)"
        rf"\s+{_ORG}"
    ),
    re.compile(
        rf"\b(?:[Ww]e're|[Ww]e are|[Oo]ur company is(?: called)?|[Mm]y company is(?: called)?|"
        rf"[Cc]ompany(?: name)? is|[Cc]ompany:|I represent|on behalf of|[Hh]ere (?:at|from))"
        rf"\s+{_ORG}"
    ),
    re.compile(rf"^\W*(?:{_NAME_WORD}\s+)?(?:here,?\s+)?from\s+{_ORG}"),
    re.compile(rf"^\W*(?:the\s+)?[A-Za-z][\w -]{{1,30}}?\s+(?:at|@)\s+{_ORG}\W*$"),
)
_LOWER_ORG = re.compile(
    r"\b(?:i work (?:at|for)|our company is(?: called)?|my company is(?: called)?|company name is)"
    r"\s+(?P<org>[a-z0-9][\w&.'-]*(?:\s+(?!and\b|but\b|we\b|i\b|as\b|in\b|on\b|for\b|where\b)"
    r"[a-z0-9][\w&.'-]*){0,2})"
)
_NOT_ORGS_TEXT = (
    "a an the i we my our your competitor home night work school pricing enterprise pro "
    "starter basic premium baton it this that "
)
_NOT_ORGS = frozenset(_NOT_ORGS_TEXT.split())
_ORG_SUFFIX_DOT = re.compile(r"\b(?:Inc|Ltd|Co|Corp|Bros)\.$")


def parse_contact(text: str) -> Contact:
    """Read an e-mail, phone, name and company from text (unknown parts stay None)."""
    return _parse(text, terse=False)


def extract_contact(clauses: list[Clause], *, asked: str | None) -> Contact:
    """Return the contact details these clauses reveal (None where not said)."""
    found = Contact()
    for clause in clauses:
        if clause.injection:
            continue
        hit = _parse(clause.text, terse=asked == "contact")
        found = found.model_copy(update=hit.model_dump(exclude_none=True))
    return found


def _parse(text: str, *, terse: bool) -> Contact:
    email = _email(text)
    phones = find_phones(text)
    rest = scrub_contacts(text)
    name = _name(rest)
    if name is None and terse:
        name = _bare_name(rest)
    return Contact(
        email=email,
        phone=phones[0][1] if phones else None,
        name=name,
        company=_company(rest),
    )


def _email(text: str) -> str | None:
    for candidate in find_emails(text):
        try:
            return validate_email(candidate.strip(".'"), check_deliverability=False).normalized
        except EmailNotValidError:
            continue  # a typo'd address is ignored rather than stored
    return None


def _name(text: str) -> str | None:
    for pattern in _NAME_PATTERNS:
        for m in pattern.finditer(text):
            name = _clean_name(m.group("name"))
            if name:
                return name
    if lower := _LOWER_NAME.search(text.lower()):
        name = _clean_name(lower.group("name").title())
        if name:
            return name
    return None


def _clean_name(raw: str) -> str | None:
    words = []
    for word in raw.split():
        if word.lower() in _NOT_NAMES:
            break
        words.append(word)
    return " ".join(words) or None


def _bare_name(text: str) -> str | None:
    # A reply to "what's your name and e-mail?" may be just "Dana Smith, dana@acme.com".
    words = re.sub(r"[,;:.!]+", " ", text).split()
    if 1 <= len(words) <= 3 and all(w.isalpha() for w in words):
        name = _clean_name(" ".join(w.capitalize() for w in words))
        return name if name and len(name.split()) == len(words) else None
    return None


def _company(text: str) -> str | None:
    for pattern in _ORG_PATTERNS:
        for m in pattern.finditer(text):
            org = _clean_org(m.group("org"))
            if org:
                return org
    if lower := _LOWER_ORG.search(text.lower()):
        return _clean_org(lower.group("org"))
    return None


def _clean_org(raw: str) -> str | None:
    org = raw.strip()
    if not _ORG_SUFFIX_DOT.search(org):
        org = org.rstrip(".")
    org = re.sub(r"(?:\s+(?:of|and|de|for|&))+$", "", org.strip(" ,;!?'\""))
    first = org.split()[0].lower() if org else ""
    if not org or org.lower() in _NOT_ORGS or first in _NOT_ORGS or first in _NOT_NAMES:
        return None
    return org
