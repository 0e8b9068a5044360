"""What kind of message the visitor sent: a question, small talk, or an order aimed at the bot.

Cheap, deterministic pattern checks used by the turn (to pick the retrieval query)
and by the offline engine (to decide whether to answer from the knowledge base).
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["question", "greeting", "thanks", "injection", "statement"]

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_QUESTION_START = re.compile(
    r"^\s*(?:(?:and|but|so|also|ok|okay|hi|hello|hey|great|thanks|cool)[,!.]?\s+)*"
    r"(?:what|what's|whats|how|how's|does|do|did|is|isn't|are|aren't|can|can't|could|which|why|"
    r"where|when|will|won't|would|should|who|whom|whose|any|is there|are there|tell me|explain|"
    r"describe|show me|give me|walk me|list|compare|i'd like to know|i want to know|"
    r"i'm wondering|im wondering|i wonder|wondering|curious|need to know|do you|pricing)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^[^,;:—]{1,60}[,;:—]\s*((?:what|how|does|do|is|are|can|could|which|why|where|when|will|"
    r"would|should|who|any|tell me)\b.*)$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))"
    r"(?:\s+(?:there|all|team|folks|again))?\s*[!.,:)]*\s*$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|great|cool|perfect|awesome|nice|got it|sounds good|good)[,!.]?\s*)*"
    r"(?:thanks?(?: you)?(?: so much| a lot| very much)?|thx|ty|cheers|much appreciated|"
    r"ok(?:ay)?|great|cool|perfect|awesome|nice|got it|sounds good|good|bye|goodbye)"
    r"(?:[,!.]?\s*(?:that'?s (?:helpful|great|useful)|bye))?\s*[!.:)]*\s*$",
    re.IGNORECASE,
)
# Orders aimed at the bot rather than questions or facts: they change nothing.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|"
    r"previous|prior|system)\b"
    r"|^\s*(?:system|assistant|developer|admin)\s*[:>]"
    r"|\b(?:system|developer)\s+(?:prompt|message|override|note)\b"
    r"|\b(?:mark|set|flag|classify|treat|consider|rate|score|label|tag|put|qualify)\s+(?:me|us|"
    r"this|my|our|the)\b.{0,30}\b(?:qualified|sql|mql|hot|stage|score|priority|lead)\b"
    r"|\b(?:change|update|set|make)\s+(?:my|the|our|this)\s+(?:stage|score|status|"
    r"qualification)\b"
    r"|\byou are now\b|\bnew instructions\b|\bact as\b|\bpretend\b|\bjailbreak\b"
    r"|\b(?:print|reveal|show|repeat|output|dump)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+|"
    r"initial\s+|hidden\s+)?(?:prompt|instructions|configuration|config|settings)"
    r"|\b(?:other|another|previous)\s+(?:visitors?|conversations?|customers?'?|users?'?)\s+"
    r"(?:data|details|emails?|conversations?|messages?)"
    r"|\bapi[_ ]?keys?\b|\bsecrets?\b.{0,20}\b(?:key|token|config)",
    re.IGNORECASE,
)
_HUMAN_REQUEST = re.compile(
    r"\b(?:can|could|would|will|have|get)\s+(?:someone|somebody|a person|a human|a rep|"
    r"sales|your (?:sales )?team|one of your (?:reps|team))\b(?:\s+from\s+\w+)?\s+"
    r"(?:please\s+)?(?:call|e-?mail|contact|reach(?: out)?|get in touch|ring|phone|follow up)\b"
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a |an |someone|somebody|sales|your|a real)"
    r"|\b(?:book|schedule|set up|arrange|get)\s+(?:a |an )?(?:demo|call)\b"
    r"|\bmeeting with (?:you|your team|sales|someone|a rep)\b"
    r"|\b(?:send|get|give)\s+(?:me|us)\s+(?:a )?(?:quote|proposal)\b",
    re.IGNORECASE,
)
_PRICE_QUESTION = re.compile(
    r"\b(?:how much|cost|costs|price|prices|pricing|priced|expensive|cheap|fees?)\b", re.I
)
_AFFIRMATIVE = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|please|yes please|sounds good|that would be "
    r"(?:great|good|nice)|definitely|absolutely|of course|go ahead|please do)\b",
    re.IGNORECASE,
)


def classify(text: str) -> Intent:
    """Tell what kind of message this is, injection first so an order never reads as a question."""
    if _INJECTION.search(text):
        return "injection"
    if _GREETING.match(text):
        return "greeting"
    if _THANKS.match(text):
        return "thanks"
    if question_part(text):
        return "question"
    return "statement"


def question_part(text: str) -> str:
    """Return the sentences of a message that ask something, joined; empty when none do."""
    parts = [p.strip() for p in _SENTENCES.split(text) if p.strip()]
    asked = [_from_question_word(p) for p in parts if p.endswith("?") or _QUESTION_START.match(p)]
    return " ".join(asked)


def _from_question_word(sentence: str) -> str:
    """Drop a lead-in before the question ("Not sure yet, what integrations ...?")."""
    match = _LEAD_IN.search(sentence)
    return match.group(1) if match else sentence


def retrieval_query(text: str) -> str:
    """Return the text to search the knowledge base with: the question, else the whole message.

    A price question is widened with pricing words: "What does Scale cost?" alone finds
    passages about Scale, not the plan's price.
    """
    query = question_part(text) or text.strip()
    return f"{query} pricing price per month" if is_price_question(query) else query


def is_price_question(text: str) -> bool:
    """Tell whether a message asks what something costs."""
    return bool(_PRICE_QUESTION.search(text))


def is_affirmative(text: str) -> bool:
    """Tell whether a short message says yes (to an offer such as talking to the team)."""
    return (
        bool(_AFFIRMATIVE.match(text))
        and len(text) < 60
        and not question_part(text)
        and classify(text) != "injection"
    )


def asks_for_human(text: str) -> bool:
    """Tell whether the visitor asks to be contacted by, or to talk with, a person."""
    return bool(_HUMAN_REQUEST.search(text)) and classify(text) != "injection"
