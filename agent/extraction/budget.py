"""Budget: amounts, ranges, currencies and periods, and whether the money is there."""

from __future__ import annotations

import re
from decimal import Decimal

from price_parser import Price

from agent.extraction._text import Clause, is_hedged, normalise, scrub_contacts
from core.qualification import Budget, BudgetStatus, Period

_PRE = r"(?:us\$|a\$|c\$|[$€£¥₹]|usd|eur|gbp|cad|aud|chf|jpy|inr)"
_POST = r"(?:usd|eur|gbp|cad|aud|chf|jpy|inr|dollars?|bucks|euros?|pounds?|quid|[$€£])"
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_SUF = r"k|mm|m|bn|thousand|grand|million|mil|mio|billion"
_MONEY = re.compile(
    rf"(?<![\w.,/#])(?P<pre>{_PRE})?\s?(?P<num>{_NUM})(?:\s?(?P<suf>{_SUF})\b)?"
    rf"(?:\s?(?P<post>{_POST})(?!\w))?"
    r"(?![\w%]|/\d|:\d|[.,]\d)",
)
_CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "¥": "JPY", "jpy": "JPY", "₹": "INR", "inr": "INR", "a$": "AUD", "aud": "AUD",
    "c$": "CAD", "cad": "CAD", "chf": "CHF",
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6,
    "mil": 1e6, "mio": 1e6, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
# Numbers that count things rather than money ("50 employees", "10,000 leads a month").
_NOT_MONEY_AFTER = re.compile(
    r"^[\s-]*(?:x|times|per ?cent|employees?|people|staff|users?|seats?|licen[cs]es?|leads?|"
    r"reps?|agents?|customers?|clients?|visitors?|contacts?|accounts?|members?|hours?|hrs?|"
    r"days?|weeks?|months?|years?|yrs?|minutes?|mins?|locations?|offices?|stores?|sites?|"
    r"pages?|e-?mails?|calls?|messages?|tickets?|deals?|sdrs?|sales ?(?:people|reps)|"
    r"countries|languages|integrations?|records?|rows?|requests?|sessions?|[kmgt]b\b|"
    r"person|heads?|fte|uptime|docs?|documents?|products?|skus?|orders?|units?|teams?)\b",
)
_NOT_MONEY_BEFORE = re.compile(
    r"\b(?:version|v|plan|tier|step|number|no\.|level|phase|series|gen|top|q|h|fy|iso|soc|"
    r"route|room|suite|floor|page|chapter)\s*$",
)
_CUE = re.compile(
    r"\bbudget|\bspend|\bafford|\binvest|\ballocat|\bapproved\b|\bset aside\b|\bearmark|"
    r"\bwilling to (?:pay|spend|go)|\b(?:can|could|able to) (?:pay|do|go|stretch)|"
    r"\bpay up to\b|\bcap\b|\bceiling\b|\bmax(?:imum)?\b|\blimit\b|\bring-?fenced\b",
)
_QUOTED_PRICE = re.compile(
    r"\b(?:your|its|it's|plan|pricing|priced|price|costs?|listed|website|page|tier|package|"
    r"subscription|enterprise|starter|pro|basic|premium|quoted?|per seat|competitor)\b",
)
_NOT_BUDGET = re.compile(
    r"\b(?:los[et]|losing|cost(?:s|ing)? us|wast(?:e|ed|ing)|revenue|arr|mrr|turnover|raised|"
    r"valuation|earn(?:s|ed)?|make|made|sales of|fined|salary|salaries|pays? me|paid me)\b",
)
_RANGE_JOIN = re.compile("^\\s*(?:-|\u2013|\u2014|to|and|or)\\s*$")
_CEILING = re.compile(
    r"(?:up ?to|max(?:imum)?|at most|no more than|not more than|under|below|less than|"
    r"ceiling of|cap(?:ped)? at|limit of|top out at|within)\s*(?:of\s*)?$",
)
_NONE = re.compile(
    r"\bno budget\b|\b(?:don't|do not|doesn't|does not|haven't|have not|hasn't|didn't)\s+"
    r"(?:have|got|get)?\s*(?:a |any |the )?(?:budget|money|funds|funding)\b|\bnot budgeted\b|"
    r"\bzero budget\b|\bbudget (?:is |of )?(?:zero|nothing|0|none)\b|\bcan't afford\b|"
    r"\bno (?:money|funds|funding)\b|\bwithout (?:a |any )?budget\b|\bnothing budgeted\b",
)
_NONE_TERSE = re.compile(
    r"^\W*(?:no|none|nope|nothing|zero|nada|n/?a|not yet|not really|nothing yet|none yet|"
    r"we don't(?: have one)?(?: yet)?|we don't have (?:one|any)(?: yet)?|there isn't one(?: yet)?|"
    r"haven't got one|don't have one(?: yet)?|not at the moment|0)\W*$",
)
_ALLOCATED = re.compile(
    r"\b(?:approved|set aside|allocated|earmarked|signed off|committed|ring-?fenced|secured|"
    r"budgeted|in the budget|(?:have|got) (?:the |a |some )?budget|budget (?:is )?(?:ready|in "
    r"place|confirmed|available|there)|(?:have|got) (?:the )?(?:money|funds|funding))\b",
)
_EXPLORING = re.compile(
    r"\b(?:figur|explor|still working|working on (?:the |a |our )?budget|not sure|unsure|tbd|"
    r"depends|no idea|haven't decided|not decided|undecided|tight|limited|small|flexible|"
    r"looking at|thinking|waiting|pending|needs? approval|not (?:yet )?approved|"
    r"hasn't been approved|yet to be approved|to be (?:decided|determined|confirmed)|"
    r"gets? approved|will (?:be|get) approved|once (?:it's |it is |we get it )?approved|"
    r"once we get approval|after approval)",
)
_PERIODS: tuple[tuple[Period, re.Pattern[str]], ...] = (
    ("monthly", re.compile(r"(?:\ba|\bper|\beach|\bevery|/)\s?(?:month|mo|mth|m)\b|\bmonthly\b|"
                           r"\bpcm\b|\bp/m\b")),
    ("annual", re.compile(r"(?:\ba|\bper|\beach|\bevery|/)\s?(?:year|yr|annum|y|a)\b|"
                          r"\bannual(?:ly)?\b|\byearly\b|\bp\.a\.|\bper year\b"
                          r"|\bfor (?:this|the|next|the whole|the full) (?:fiscal )?year\b")),
    ("one_time", re.compile(r"\bone[- ]?(?:time|off)\b|\bupfront\b|\bin total\b|\blump sum\b|"
                            r"\btotal\b|\bonce\b")),
)  # fmt: skip


def parse_budget(text: str) -> Budget | None:
    """Read a budget statement (amount, range, currency, period, status) from text."""
    found = _parse(normalise(scrub_contacts(text)), terse=True, correcting=False)
    return found[0] if found else None


def extract_budget(
    clauses: list[Clause], *, asked: str | None, current: Budget
) -> tuple[Budget | None, bool]:
    """Return the budget stated in these clauses (the last wins) and whether its status was
    worded ("approved", "roughly") rather than assumed from a bare figure."""
    found: tuple[Budget, bool] | None = None
    for clause in clauses:
        if not clause.statement:
            continue
        text = normalise(scrub_contacts(clause.text))
        terse = asked == "budget" and len(text.split()) <= 8
        correcting = current.amount is not None or current.amount_max is not None
        hit = _parse(text, terse=terse, correcting=correcting)
        if hit is not None:
            found = (hit[0].model_copy(update={"evidence": clause.text}), hit[1])
    return found if found else (None, False)


def _parse(text: str, *, terse: bool, correcting: bool) -> tuple[Budget, bool] | None:
    cue = bool(_CUE.search(text))
    if _NONE.search(text) or (terse and _NONE_TERSE.match(text)):
        return Budget(status="none"), True
    amounts = _amounts(text, cue=cue, terse=terse, correcting=correcting)
    if amounts is not None:
        low, high, currency = amounts
        worded = _status(text) or ("exploring" if is_hedged(text) else None)
        budget = Budget(
            status=worded or "allocated",  # a plain figure is taken as money they have
            amount=low,
            amount_max=high,
            currency=currency,
            period=_period(text),
        )
        return budget, worded is not None
    if "budget" in text or "money" in text or terse:
        status = _status(text)
        if status is None and terse and _EXPLORING_TERSE.search(text):
            status = "exploring"
        if status is not None:
            period = _period(text) if status != "none" else None
            return Budget(status=status, period=period), True
    return None


_EXPLORING_TERSE = re.compile(
    r"\b(?:exploring|not sure|unsure|no idea|tbd|depends|thinking|idk|dunno|don't know)\b"
)


def _status(text: str) -> BudgetStatus | None:
    if _EXPLORING.search(text):
        return "exploring"
    if _ALLOCATED.search(text):
        return "allocated"
    return None


def _period(text: str) -> Period | None:
    for period, pattern in _PERIODS:
        if pattern.search(text):
            return period
    return None


def _amounts(
    text: str, *, cue: bool, terse: bool, correcting: bool
) -> tuple[float | None, float | None, str | None] | None:
    if _NOT_BUDGET.search(text):
        return None
    quoted = bool(_QUOTED_PRICE.search(text)) and not cue
    tokens = []
    for m in _MONEY.finditer(text):
        currency = _currency(m.group("pre") or m.group("post"))
        after, before = _window(text, m.end(), 1), _window(text, m.start(), -1)
        counted = currency is None and _NOT_MONEY_AFTER.match(after)
        if counted or _NOT_MONEY_BEFORE.search(before):
            continue
        suffix = m.group("suf")
        value = _number(m.group("num"))
        if value is None:
            continue
        if currency is None and suffix is None and 1900 <= value <= 2100 and "." not in m["num"]:
            continue  # a year, not an amount
        tokens.append((m, value, suffix, currency))
    if not tokens:
        return None
    strong = any(t[2] or t[3] for t in tokens)
    if not (cue or terse or (strong and (correcting or not quoted))):
        return None
    first = tokens[0]
    (m1, v1, s1, c1) = first
    if len(tokens) > 1 and _RANGE_JOIN.match(text[m1.end() : tokens[1][0].start()]):
        (_m2, v2, s2, c2) = tokens[1]
        high = v2 * _MULTIPLIERS.get(s2 or "", 1)
        low = v1 * _MULTIPLIERS.get(s1 or "", 1)
        if s1 is None and s2 is not None and v1 < v2:
            low = v1 * _MULTIPLIERS[s2]  # "10-15k": the suffix covers both ends
        return _round(low), _round(high), c1 or c2
    value = v1 * _MULTIPLIERS.get(s1 or "", 1)
    if _CEILING.search(_window(text, m1.start(), -1)):
        return None, _round(value), c1
    return _round(value), None, c1


def _window(text: str, at: int, direction: int) -> str:
    # The words right beside a figure decide what it counts; a bounded window keeps a
    # message full of numbers linear.
    return text[at : at + _WINDOW] if direction > 0 else text[max(0, at - _WINDOW) : at]


_WINDOW = 40


def _number(raw: str) -> float | None:
    amount: Decimal | None = Price.fromstring(raw).amount
    return float(amount) if amount is not None else None


def _currency(raw: str | None) -> str | None:
    return _CURRENCIES.get(raw.strip()) if raw else None


def _round(value: float) -> float:
    return round(value, 2)
