"""Reading passages for the offline engine: answerable sentences, and whether a passage is on topic.

Pure text functions, no model: the engine embeds what these return.
"""

from __future__ import annotations

import re

from agent.intent import is_price_question
from knowledge.models import SearchHit

# A sentence ends at . ! ? followed by a capital, except after an initial or an abbreviation.
_BOUNDARY = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bInc\.)(?<!\bLtd\.)(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?<!\betc\.)(?<!\bNo\.)(?<!\bSt\.)\s+(?=[\"'(\[]?[A-Z0-9$€£])"
)
_BLOCK_START = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_FIGURE = re.compile(r"[$€£]\s?\d|\d+\s?%|\b\d[\d,.]*\b")
_SEE_ALSO = re.compile(r"^(?:see|read|learn more|more in|details in)\b", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+&.'-]*[A-Za-z0-9+]|[A-Za-z0-9]")
# Above this similarity a sentence is trusted whatever words it uses; between the fair
# and the confident level the question's names must appear; below, its words too.
_CONFIDENT_SIM = 0.6
_FAIR_SIM = 0.5
_STOPWORD_TEXT = """
a an the and or but if then so to of in on at by for with from into about as is are was
were be been being am do does did doing have has had having can could will would should
shall may might must i me my we us our ours you your yours it its they them their this
that these those there here what whats what's which who whom whose when where why how
much many any some all each every no not yes please tell know want need like get got use
using used offer offers provide provides work works working also just
really very hi hello hey thanks thank ok okay there's it's im i'm we're you're doesn't
anything something way ways more most other else than too one kind sort lot lots cost
costs price prices pricing priced available include includes included have has
usually typically generally actually isn't don't doesn't aren't can't won't
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def covers(question: str, hit: SearchHit, sim: float) -> bool:
    """Tell whether the passage speaks of what the question names, not just something near it.

    Embeddings rate "Do you support Microsoft Dynamics?" close to a passage about Microsoft
    sign-in; every name the question uses must appear in the passage, and, below a
    confident similarity, most of its other content words too.
    """
    if sim >= _CONFIDENT_SIM:
        return True
    haystack = f"{hit.title} {hit.text}".lower()
    names, words = question_terms(question)
    if any(not _mentions(haystack, n) for n in names):
        return False
    if sim >= _FAIR_SIM or not words:
        return True
    found = sum(1 for w in words if _mentions(haystack, w))
    return found * 3 >= len(words) * 2 or (len(words) > 1 and found * 2 >= len(words))


def heading_matches(question: str, hit: SearchHit) -> bool:
    """Tell whether the passage's headings name everything the question asks about.

    A broad question ("What integrations do you have?") matches no single sentence
    closely, but a section titled "Integrations" is plainly the place to answer it.
    """
    names, words = question_terms(question)
    terms = names + words
    heading = " ".join([hit.title, *hit.heading_path]).lower()
    found = sum(1 for t in terms if _mentions(heading, t))
    named = all(_mentions(heading, n) for n in names)
    return bool(terms) and named and found * 3 >= len(terms) * 2


def question_terms(question: str) -> tuple[list[str], list[str]]:
    """Split a question's content words into names (capitalised, acronyms, figures) and others."""
    names: list[str] = []
    words: list[str] = []
    tokens = _TOKEN.findall(question)
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in _STOPWORDS or len(low) < 2:
            continue
        # Bare numbers ("15 minutes", "3 users") are parameters, not names to look for.
        is_name = (
            (any(ch.isdigit() for ch in token) and not token.isdigit())
            or (i > 0 and token[:1].isupper() and low not in _STOPWORDS)
            or (len(token) > 1 and token.isupper())
        )
        (names if is_name else words).append(low)
    return names, [w for w in words if len(w) >= 3]


def _mentions(haystack: str, term: str) -> bool:
    """Find a term or its stem ("integrate" → "integration", "offices" → "office")."""
    stem = term[:5] if len(term) >= 6 else term.rstrip("s") if len(term) > 3 else term
    return stem in haystack


def split_sentences(text: str, heading_path: list[str] | None = None) -> list[str]:
    """Split a passage into answerable sentences: prose only, markup removed.

    Headings are dropped unless they state a figure ("Growth — $49 per seat per month").
    """
    headings = [h.strip() for h in heading_path or [] if h.strip()]
    lowered = {h.lower() for h in headings}
    out: list[str] = []
    if headings and _FIGURE.search(headings[-1]) and len(headings[-1].split()) >= 4:
        heading = headings[-1]
        out.append(heading if heading[-1:] in ".!?" else heading + ".")
    for block in _blocks(text):
        if block.startswith("|") or block.startswith("#"):
            continue  # table rows mean nothing without their header
        line = _LINK.sub(r"\1", _EMPHASIS.sub("", _MARKUP.sub("", block))).strip()
        if line.lower() in lowered or " > " in line:
            continue
        for sentence in _BOUNDARY.split(line):
            if _answerable(sentence.strip()):
                out.append(sentence.strip())
    return out


def _blocks(text: str) -> list[str]:
    """Join hard-wrapped lines into paragraphs and list items; keep headings and rows apart."""
    blocks: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        starts_block = not blocks or not line or _BLOCK_START.match(line)
        if not line:
            blocks.append("")
        elif starts_block or not blocks[-1]:
            blocks.append(line)
        else:
            blocks[-1] += " " + line
    return [b for b in blocks if b]


def _answerable(sentence: str) -> bool:
    """Keep whole statements: not list fragments, not lead-ins, not cross-references."""
    words = len(sentence.split())
    first = sentence[:1]
    if words < 4 or not (first.isupper() or first.isdigit() or first in "$€£\"'("):
        return False
    if sentence.endswith((":", ",", " and", " or")) or _SEE_ALSO.match(sentence):
        return False
    return words >= 6 or sentence[-1:] in ".!?;)"


_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars|euros)\b", re.I)
_PROMOTION = re.compile(r"\b(?:discount|% off|startups?|nonprofits?|early-stage|promo\w*)\b", re.I)


def rank_bonus(question: str, sentence: str, hit: SearchHit) -> float:
    """Nudge the ranking of near-equal sentences towards the one that answers the question.

    A price question prefers sentences with a price; a section whose heading names what
    the question names is preferred; promotions do not answer a plain price question.
    """
    bonus = 0.0
    if is_price_question(question):
        if _MONEY.search(sentence):
            bonus += 0.08
        if _PROMOTION.search(sentence) and not _PROMOTION.search(question):
            bonus -= 0.15
    if heading_matches(question, hit):
        bonus += 0.05
    return bonus
