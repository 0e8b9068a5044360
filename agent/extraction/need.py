"""Need: the pain or use case the visitor states, summarised in their own words."""

from __future__ import annotations

import re

from agent.extraction._text import Clause, in_own_words, normalise
from core.qualification import Need

_NONE = re.compile(
    r"\bjust (?:browsing|curious|checking(?! if| whether| how| what)|having a look|poking around|"
    r"looking around|window shopping)\b|\bjust looking\b(?! for| to| at| into)"
    r"|\bno (?:real |actual |particular |specific |immediate )?need\b"
    r"|\b(?:don't|do not) (?:really )?need (?:anything|it|this|a tool|one)\b"
    r"|\bnot (?:looking|interested) (?:for|in) (?:anything|buying)\b"
    r"|\bnot (?:in the market|buying)\b"
    r"|\b(?:happy|fine|satisfied) with (?:our|what we|the) (?:current|existing)\b"
    r"|\bnothing (?:specific|in particular)\b(?! to)",
)
_NONE_TERSE = re.compile(
    r"^\W*(?:no|nothing|none|not really|nope|nothing really|nothing specific|nothing in "
    r"particular|no need)\W*$",
)
# (trigger, keep the trigger words in the summary, allowed inside a question)
_TRIGGERS: tuple[tuple[str, bool, bool], ...] = (
    (
        r"(?:we|i) (?:really |urgently |badly |desperately |also )?need (?:to |a |an |some )?",
        False,
        True,
    ),
    (
        r"(?:we're|we are|i'm|i am) (?:currently |actively )?looking (?:for (?:a |an )?|to )",
        False,
        True,
    ),
    (r"looking for (?:a |an )?(?:better |new |simple |simpler )?way to ", False, True),
    (
        r"(?:we|i) (?:want|would like|'d like|'d love|would love|hope|are hoping|'re hoping) to ",
        False,
        True,
    ),
    (r"(?:we're|we are|i'm|i am) (?:trying|hoping|aiming|planning) to ", False, True),
    (r"(?:help|helps|helping) (?:us|me) (?:to )?", False, True),
    (r"need help (?:with )?", False, True),
    (
        r"(?:and|so|but|which is why) (?:we |i )?(?:also |really )?need (?:to |a |an |some )?",
        False,
        True,
    ),
    (r"(?:we're|we are|i'm|i am) (?:really )?struggl(?:e|ing) (?:with |to )", True, True),
    (r"(?:we|i) struggle (?:with |to )", True, True),
    (
        r"(?:our|my|the) (?:main |biggest |big |key |real |current )?(?:problem|issue|challenge|"
        r"pain|pain point|bottleneck|headache|goal|priority|use case)"
        r"(?: (?:is|are|right now is) |:\s*)"
        r"(?:that |to )?",
        False,
        False,
    ),
    (
        r"(?:we|i) (?:have|are having|'re having|keep having) (?:a lot of |lots of |some |real )?"
        r"(?:trouble|problems?|issues?|difficulty|a hard time) (?:with )?",
        True,
        False,
    ),
    (
        r"(?:we're|we are|we keep|we) (?:losing|lose|wasting|waste|missing|miss|drowning in) ",
        True,
        False,
    ),
    (r"(?:we|i) spend too (?:much time|long|much) ", True, False),
    (r"too many ", True, False),
    (r"takes (?:us )?(?:way )?too long to ", True, False),
    (r"(?:can't|cannot|unable to|struggle to) keep up with ", True, False),
    (r"(?:we|i) can't (?:seem to )?", True, False),
    (r"(?:we|i) (?:want|need) (?=more |better |fewer |less |faster )", False, True),
    (
        r"(?:we're|we are) (?:evaluating|replacing|switching from|moving off|"
        r"migrating (?:off|from)) ",
        True,
        False,
    ),
    (r"(?:want|need|looking) to replace ", True, True),
    (r"(?:it's|it is) (?:a )?(?:real |huge |big )?pain to ", True, False),
)
_TRIGGER_RES = tuple(
    (re.compile(r"\b" + t + r"(?P<x>.+)"), keep, in_q) for t, keep, in_q in _TRIGGERS
)
# Objects that are requests, timing or money rather than a pain or use case.
_NOT_A_NEED = re.compile(
    r"^(?:a |an |the |to )?(?:demo|quote|call|meeting|human|person|someone|somebody|price|"
    r"pricing|more info|info|information|details|job|work|internship|partner|budget|approval|"
    r"sign-?off|get (?:approval|sign-?off|buy-?in|the budget)|know|ask|check|confirm|talk|speak|"
    r"chat|(?:book|schedule|set up) (?:a |an )?(?:demo|call|meeting|time)|understand|learn|"
    r"find out|"
    r"see (?:a |the |your |if |whether |pricing)|get (?:a |the )?(?:demo|quote|price)|it\b|this\b|"
    r"that\b|them\b|one\b|start|launch|go live|be live|decide|buy|sign|purchase|think|"
    r"pay|spend|afford|invest|get back|reach|contact|email|say|share|tell|ignore|mark|set|"
    r"pitch|sell|offer|collaborate|partner)\b",
)
_STOP = re.compile(
    r"\s+(?:but|because|since|so that|although|though|which means|and our budget|and the budget|"
    r"by(?! hand)|before|within|asap|and (?:we |i )?(?:need|want|have|are|would|hope|plan|must|"
    r"should|can)|and (?:we're|i'm|we'd|i'd|it's))\b.*$"
)
_PAIN = re.compile(
    r"\b(?:by hand|manually|(?:a|the|such a|total) mess|messy|painful|nightmare|chaos|chaotic|"
    r"headache|broken|too slow|slow|terrible|awful|frustrat\w*|annoying|takes forever|"
    r"eats (?:up )?(?:my|our)|wast(?:e|es|ed|ing)|rot|rots|rotting|ignor(?:e|es|ed|ing)|untouched|"
    r"(?:sit|sits|sitting|wait|waits|waiting) (?:in|for|around)|never gets?|"
    r"(?:fall|falls|falling|slip|slips|slipping) through|cherry-?pick\w*|"
    r"wrong (?:ae|rep|person|team|owner|people)|no visibility|no idea (?:how|who|what|when|"
    r"whether|if)|no way to|(?:don't|doesn't|do not|does not|never) follow(?:s)? up|"
    r"(?:los\w+|miss\w*|drop\w*) (?:\w+ ){0,3}(?:leads?|deals?|customers?|revenue|pipeline|"
    r"sales|opportunit\w+|business|prospects?|signups?)|spends? a fortune|overwhelmed|drowning|"
    r"can't keep up|struggl\w*|pain|shared inbox|spreadsheets?|terribl\w*|horribl\w*|"
    r"(?:nobody|no one) (?:\w+ )?(?:notices?|updates?|follows?|checks?|owns?|knows?|responds?|"
    r"answers?|picks?|touches?|calls?)|break(?:s|ing)?(?! down)|duplicat\w+|fights?|fighting|"
    r"get(?:s|ting)? lost|go(?:es)? missing|won't (?:survive|scale|cope|work|last)|"
    r"(?:doesn't|don't|can't) scale|takes (?:us |them |me )?(?:a day|days|hours|weeks|ages|"
    r"too long|forever)|whoever (?:grabs|gets|is)|grab(?:s|bing)? (?:them|the good|the best|"
    r"leads)|unanswered|errors?|error-prone|outdated|out of date)\b"
)
_CONTEXT = re.compile(
    r"\b(?:we|we're|our|ours|us|i|i'm|my|leads?|reps?|sdrs?|aes?|team|sales|marketing|"
    r"customers?|prospects?|pipeline|process|workflow|inbound|follow[- ]?ups?|requests?)\b"
)
_PARTS = re.compile(r",\s*(?:and then|and|but|so)?\s*|\s+(?:and then|and|but|so|while|because)\s+")
_PRONOUN = re.compile(r"^(?:we're|we are|we keep|we|i'm|i am|i)\s+")
_MAX_WORDS = 18


def extract_need(clauses: list[Clause], *, asked: str | None, answered_other: bool) -> Need | None:
    """Return the need stated in these clauses (the last statement winning)."""
    found: Need | None = None
    for clause in clauses:
        if clause.injection:
            continue
        need = _parse(clause.text, question=clause.question)
        if need is not None:
            found = need.model_copy(update={"evidence": clause.text})
    if found is None and asked == "need" and not answered_other:
        found = _terse(clauses)
    return found


def _parse(raw: str, *, question: bool) -> Need | None:
    text = normalise(raw)
    if not question and _NONE.search(text):
        return Need(status="none")
    for pattern, keep, in_question in _TRIGGER_RES:
        if question and not in_question:
            continue
        m = pattern.search(text)
        if m is None:
            continue
        summary = _summarise(m.group("x"))
        if summary is None:
            continue
        if keep:
            summary = _summarise(_PRONOUN.sub("", m.group(0))) or summary
        return Need(status="identified", summary=in_own_words(raw, summary))
    if not question:
        return _pain(raw, text)
    return None


def _pain(raw: str, text: str) -> Need | None:
    # "we route 4k leads a month by hand and it's a mess": a complaint about their own
    # work is a need even without "we need"; the summary is the part that complains.
    if not (_PAIN.search(text) and _CONTEXT.search(text)):
        return None
    for part in _PARTS.split(text):
        if _PAIN.search(part):
            summary = _summarise(part, requests_allowed=True)
            if summary and len(summary.split()) >= 2:
                return Need(status="identified", summary=in_own_words(raw, summary))
    return None


def _terse(clauses: list[Clause]) -> Need | None:
    statements = [c for c in clauses if c.statement]
    if not statements:
        return None
    clause = statements[0]
    text = normalise(clause.text)
    if _NONE_TERSE.match(text):
        return Need(status="none", evidence=clause.text)
    summary = _summarise(text)
    if summary is None or len(summary) < 4:
        return None
    return Need(
        status="identified", summary=in_own_words(clause.text, summary), evidence=clause.text
    )


def _summarise(obj: str, *, requests_allowed: bool = False) -> str | None:
    obj = re.split(r"[.!?;,\n(]", obj, maxsplit=1)[0].strip()
    obj = _STOP.sub("", obj).strip(" -:'\"")
    if not obj or (not requests_allowed and _NOT_A_NEED.match(obj)):
        return None
    words = obj.split()
    if len(words) <= _MAX_WORDS:
        return obj
    # A cut summary says so, rather than ending mid-phrase ("by hand in a").
    return " ".join(words[:_MAX_WORDS]) + "…"
