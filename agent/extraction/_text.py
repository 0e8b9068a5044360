"""Text glue shared by the extractors: clauses, questions, injections, hedges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

# Sentence ends, line breaks and semicolons; a comma before a question word too, so
# "I'm the CMO, what does Enterprise cost?" keeps the statement apart from the question.
_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=\S)|\n+|;\s*"
    r"|,\s*(?:and\s+|but\s+|so\s+)?(?=(?:what|how|does|do|is|are|can|could|which|why|where|"
    r"will|would|should)\b[^.!]*\?)",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+|also\s+|ok\s+|okay\s+)?(?:what|what's|whats|how|does|do|is|are|"
    r"can|could|which|why|where|when|will|would|should|who|any|is there|are there)\b",
    re.IGNORECASE,
)
# Orders aimed at the bot rather than facts about the visitor: such a clause sets nothing.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|"
    r"previous|prior|system)\b"
    r"|^\s*(?:system|assistant|developer|admin)\s*[:>]"
    r"|\b(?:system|developer)\s+(?:prompt|message|override|note)\b"
    r"|\b(?:mark|set|flag|classify|treat|consider|rate|score|label|tag|put)\s+(?:me|us|this|"
    r"my|our|the)\b.{0,30}\b(?:qualified|sql|mql|hot|stage|score|priority|decision[- ]maker|"
    r"lead)\b"
    r"|\b(?:change|update|set|make)\s+(?:my|the|our|this)\s+(?:stage|score|status|"
    r"qualification)\b"
    r"|\b(?:budget|authority|need|timeline|stage|score|status)\s*[=:]\s*\S"
    r"|\bnote to (?:the )?(?:assistant|bot|ai|model|system|agent)\b"
    r"|\b(?:record|log|store|save|write|enter|register|note)\s+(?:down\s+)?(?:my|the|our)\s+"
    r"(?:budget|timeline|authority|need|stage|score|status)\s+as\b"
    r"|\bdo not (?:mention|reveal|tell)\b|\byou are now\b|\bnew instructions\b|\bact as\b"
    r"|\bpretend\b|\bjailbreak\b"
    r"|\b(?:print|reveal|show)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:think(?:ing)?|maybe|perhaps|roughly|around|about|approx(?:imately)?|ish|ballpark|"
    r"looking at|figuring|figure out|exploring|explore|not sure|unsure|tbd|probably|possibly|"
    r"might|could be|hoping|hope|estimate[ds]?|guess|considering|somewhere|rough(?:ly)?|"
    r"tentative(?:ly)?|flexible|depends|if|would)\b|~",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """One verbatim piece of a message and what kind of piece it is."""

    text: str
    question: bool
    injection: bool

    @property
    def statement(self) -> bool:
        """Tell whether the clause may carry facts about the visitor."""
        return not self.question and not self.injection


def split_clauses(text: str) -> list[Clause]:
    """Split a message into verbatim clauses, tagging questions and injection attempts."""
    pieces = [p.strip(" ,") for p in _SPLIT.split(text) if p and p.strip(" ,")]
    clauses = []
    for piece in pieces:
        question = piece.rstrip().endswith("?") or bool(_QUESTION_START.match(piece))
        # "Do you support SSO? We need it" is two clauses; a first-person "can we
        # afford..." stays a question either way.
        clauses.append(Clause(piece, question, bool(_INJECTION.search(piece))))
    return clauses


def is_hedged(text: str) -> bool:
    """Tell whether the wording is tentative ("maybe", "roughly", "looking at")."""
    return bool(_HEDGE.search(text))


def normalise(text: str) -> str:
    """Lower-case, unify apostrophes and fix the common typos the patterns care about."""
    out = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for wrong, right in _TYPOS:
        out = re.sub(wrong, right, out)
    return out


_TYPOS = (
    (r"\bbudjet\b|\bbugdet\b|\bbudegt\b|\bbuget\b|\bbudgit\b", "budget"),
    (r"\bim\b", "i'm"),
    (r"\bdont\b", "don't"),
    (r"\bdoesnt\b", "doesn't"),
    (r"\bhavent\b", "haven't"),
    (r"\bwont\b", "won't"),
    (r"\bcant\b", "can't"),
    (r"\bid\b(?= rather| prefer| like)", "i'd"),
    (r"\bwe re\b|\bwe r\b|^were\b", "we're"),
    (r"\btimelne\b|\btimline\b|\btimeframe\b|\btime frame\b|\btime-frame\b", "timeframe"),
    (r"\basap\b|\ba\.s\.a\.p\.?", "asap"),
    (r"\bqaurter\b|\bquater\b|\bquarer\b", "quarter"),
    (r"\bdecison\b|\bdecission\b", "decision"),
)


# The lookbehind anchors a match at the start of a word, so a long run of letters is
# scanned once instead of once per starting position.
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_TRIES = 50
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def find_emails(text: str) -> list[str]:
    """Return every e-mail-looking string in the text, in order."""
    return _EMAIL.findall(text)


@lru_cache(maxsize=512)
def find_phones(text: str, region: str = "US") -> tuple[tuple[str, str], ...]:
    """Return (raw, E.164) for every valid phone number in the text."""
    if len(_DIGIT.findall(text)) < _MIN_PHONE_DIGITS:
        return ()
    # A cap on candidates keeps a wall of digits from costing seconds.
    matcher = phonenumbers.PhoneNumberMatcher(text, region, max_tries=_MAX_PHONE_TRIES)
    return tuple(
        (m.raw_string, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
        for m in matcher
    )


def scrub_contacts(text: str) -> str:
    """Blank out e-mails, links and phone numbers so their digits read as nothing else."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    for raw, _e164 in find_phones(text):
        text = text.replace(raw, " ")
    return text


def in_own_words(raw: str, found: str) -> str:
    """Return `found` (matched on normalised text) as the visitor typed it, when it can be found."""
    m = re.search(re.escape(found), raw, re.IGNORECASE)
    return m.group(0) if m else found
