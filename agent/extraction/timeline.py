"""Timeline: when the visitor wants to be live, as a number of days from today."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

import dateparser

from agent.extraction._text import Clause, normalise, scrub_contacts
from core.qualification import Timeline

# "asap" has no date; two weeks is how soon a team can realistically start.
ASAP_DAYS = 14
# Months count as 30 days so "within 3 months" is the 90 days marketers mean by it.
_UNIT_DAYS = {"day": 1, "week": 7, "wk": 7, "month": 30, "mo": 30, "quarter": 90, "year": 365,
              "yr": 365}  # fmt: skip
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "couple": 2, "a couple": 2, "a couple of": 2, "couple of": 2, "few": 3, "a few": 3,
          "several": 4}  # fmt: skip
_COUNT = (
    r"\d+(?:\.\d+)?|a couple of|a couple|couple of|a few|few|several|an?|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|eleven|twelve"
)
_UNIT = r"(?P<unit>days?|weeks?|wks?|months?|mos?|quarters?|years?|yrs?)\b(?!\s+ago)"
_DURATION = re.compile(
    r"\b(?:in|within|inside(?: of)?|by|before|next|the next|in the next|within the next|"
    r"in less than|less than|under|in under|in about|in around|in roughly|in approximately)\s+"
    r"(?:about |around |roughly |approximately |~|like )?"
    rf"(?P<n>{_COUNT})(?:\s*(?:-|to|or)\s*(?P<n2>\d+))?\s*" + _UNIT
)
_BARE_DURATION = re.compile(
    rf"(?:^|\s)(?:about |around |roughly |maybe |probably |like |~)?(?P<n>{_COUNT})"
    rf"(?:\s*(?:-|to|or)\s*(?P<n2>\d+))?\s*" + _UNIT + r"(?!\s+(?:of|old)\b)"
)
# Saying there is no timeline beats a passing date ("no timeline, it's for next year's
# planning"); "no rush" only colours one ("no rush, maybe in 6 months").
_HARD_NONE = re.compile(
    r"\bno (?:set |real |fixed |firm |specific |particular |concrete )?(?:timeline|timeframe|"
    r"deadline|date|plans? yet)\b|\bnot (?:sure|certain) when\b|\bno idea when\b"
    r"|\bsome ?day\b|\beventually\b|\bwhenever\b|\bnot any ?time soon\b|\bnothing planned\b",
)
_SOFT_NONE = re.compile(
    r"\bno (?:real )?(?:rush|hurry|urgency)\b|\bnot urgent\b|\bnot (?:in )?a (?:rush|hurry)\b"
)
_NONE_TERSE = re.compile(
    r"^\W*(?:no|none|nope|not yet|no idea|not sure|don't know|tbd|n/a|not really|no clue|"
    r"no plans?)(?: yet| really)?\W*$"
)
_ASAP = re.compile(
    r"\basap\b|\bas soon as (?:possible|we can)\b|\bimmediately\b|\bright away\b|\burgent(?:ly)?\b"
    r"|\bright now\b|\bstraight away\b|\byesterday\b"
)
_SOON = re.compile(r"^\W*(?:soon|pretty soon|very soon|shortly|quickly|fast)\W*$")
_CUE = re.compile(
    r"\b(?:by|before|within|until|deadline|timeline|timeframe|launch|live|start|roll|implement|"
    r"deploy|decid|decision|buy|purchase|sign|ready|switch|migrat|onboard|kick off|up and running|"
    r"in place|need|want|plan|hope|hoping|aim|looking to|target|goal|expect|go-live|begin|"
    r"get going|move|replace|done|finish|set up|have it|use it|running|asap|as soon as|ideally|"
    r"hopefully|preferably|latest)",
)
_SHORT_WORDS = 4
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    r"\b(?:by|before|in|until|on|for|around|(?P<edge>end of|early|mid|mid-|late|start of|"
    r"beginning of))\s*(?:the )?"
    rf"(?P<date>(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?)?(?:{_MONTHS})\b"
    r"(?:\s\d{1,2}(?:st|nd|rd|th)?)?"
    r"(?:,?\s\d{4})?|\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?![\w/])"
)
_QUARTER = re.compile(
    r"\b(?P<prep>(?:by|before|until|in|for|during|within|around) )?"
    r"(?P<edge>end of |start of |beginning of |early |late )?(?:the )?"
    r"(?:q(?P<q>[1-4])|(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th) quarter)"
    r"(?:\s*(?:of\s*)?(?P<year>\d{4}))?\b"
)
# Northern-hemisphere seasons, by their first day: "before the summer" is before June 21.
_SEASON = re.compile(
    r"\b(?:(?P<prep>by|before|until|in|for|this|over|during|early|late|start of)\s+)?"
    r"(?:the\s+)?(?P<next>next\s+)?(?P<season>spring|summer|fall|autumn|winter)\b"
    r"(?:\s+(?P<year>\d{4}))?"
)
_SEASON_START = {"spring": (3, 20), "summer": (6, 21), "fall": (9, 22), "autumn": (9, 22),
                 "winter": (12, 21)}  # fmt: skip
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
             "4th": 4}  # fmt: skip


def parse_timeline(text: str, today: date) -> Timeline | None:
    """Read a timeline from text and turn it into days from `today`."""
    return _parse(normalise(scrub_contacts(text)), today, terse=True)


def extract_timeline(clauses: list[Clause], *, asked: str | None, today: date) -> Timeline | None:
    """Return the timeline stated in these clauses (the last statement winning)."""
    found: Timeline | None = None
    for clause in clauses:
        if not clause.statement:
            continue
        text = normalise(scrub_contacts(clause.text))
        hit = _parse(text, today, terse=asked == "timeline")
        if hit is not None:
            found = hit.model_copy(update={"evidence": clause.text})
    return found


def _parse(text: str, today: date, *, terse: bool) -> Timeline | None:
    if m := _DURATION.search(text):
        return Timeline(status="stated", within_days=_duration(m))
    if _HARD_NONE.search(text):
        return Timeline(status="none")
    days = _days(text, today, terse=terse)
    if days is not None:
        return Timeline(status="stated", within_days=max(0, days))
    if _SOFT_NONE.search(text) or (terse and _NONE_TERSE.match(text)):
        return Timeline(status="none")
    if _ASAP.search(text) and not re.search(r"\bnot\b.{0,12}\burgent", text):
        return Timeline(status="stated", within_days=ASAP_DAYS)
    if terse and _SOON.match(text):
        return Timeline(status="stated", within_days=30)
    return None


def _days(text: str, today: date, *, terse: bool) -> int | None:
    if m := _DURATION.search(text):
        return _duration(m)
    if terse and (m := _BARE_DURATION.search(text)):
        return _duration(m)
    # "I saw your ad this week" is not a timeline: soft phrases need a cue word, or a
    # clause that says nothing else ("next week ideally").
    short = len(text.split()) <= _SHORT_WORDS
    return _calendar(text, today, strong_only=not (terse or short or _CUE.search(text)))


def _duration(m: re.Match[str]) -> int:
    raw = m.group("n2") or m.group("n")
    count = float(raw) if raw[0].isdigit() else _WORDS[raw]
    unit = m.group("unit").rstrip("s")
    return round(count * _UNIT_DAYS[unit])


def _calendar(text: str, today: date, *, strong_only: bool) -> int | None:
    phrase_days = _phrase(text, today, strong_only=strong_only)
    if phrase_days is not None:
        return phrase_days
    m = _QUARTER.search(text)
    if m and not (strong_only and m.group("prep") is None and m.group("edge") is None):
        return _quarter(m, today)
    season = _SEASON.search(text)
    if season and not (strong_only and season.group("prep") is None):
        return _season(season, today)
    m = _DATE.search(text)
    if m and not (strong_only and m.group(0).split()[0] in ("in", "on", "for", "around")):
        return _date(m, today)
    return None


def _phrase(text: str, today: date, *, strong_only: bool) -> int | None:
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    next_month = month_end + timedelta(days=1)
    next_month_end = next_month.replace(
        day=calendar.monthrange(next_month.year, next_month.month)[1]
    )
    q_start = _quarter_start(today.year, (today.month - 1) // 3 + 1)
    q_end = _quarter_end(q_start)
    next_q = q_end + timedelta(days=1)
    # (pattern, target, strong: means a timeline even without a cue word)
    rules: tuple[tuple[str, date, bool], ...] = (
        (r"\b(?:today|tonight|end of (?:the )?day|eod)\b", today, False),
        (r"\btomorrow\b", today + timedelta(days=1), False),
        (r"\b(?:this|end of (?:the|this)) week\b|\bby (?:the )?weekend\b|\beow\b",
         today + timedelta(days=7), False),
        (r"\bnext week\b", today + timedelta(days=14), False),
        (r"\b(?:start|beginning|first|early) (?:of )?next month\b", next_month, True),
        (r"\bend of next month\b", next_month_end, True),
        (r"\bnext month\b", next_month_end, False),
        (r"\bend of (?:the|this) month\b|\beom\b", month_end, True),
        (r"\bthis month\b", month_end, False),
        (r"\bend of next quarter\b", _quarter_end(next_q), True),
        (r"\bnext quarter\b", next_q, True),
        (r"\bend of (?:the|this) quarter\b|\beoq\b", q_end, True),
        (r"\bthis quarter\b", q_end, False),
        (r"\b(?:by|before|in|early|start of) next year\b", date(today.year + 1, 1, 1), True),
        (r"\bnext year\b", date(today.year + 1, 1, 1), False),
        (r"\bend of (?:the |this )?year\b|\byear[- ]end\b|\beoy\b", date(today.year, 12, 31),
         True),
        (r"\bthis year\b", date(today.year, 12, 31), False),
    )  # fmt: skip
    for pattern, target, strong in rules:
        if (strong or not strong_only) and re.search(pattern, text):
            return (target - today).days
    return None


def _quarter(m: re.Match[str], today: date) -> int:
    number = int(m.group("q")) if m.group("q") else _ORDINALS[m.group("ord")]
    year = int(m.group("year")) if m.group("year") else today.year
    start = _quarter_start(year, number)
    end = _quarter_end(start)
    if m.group("year") is None and end < today:
        start = _quarter_start(year + 1, number)
        end = _quarter_end(start)
    edge = (m.group("edge") or "").strip()
    # "Q2" means the quarter they start in; inside it already, its end is the limit.
    target = end if edge in ("end of", "late") or start <= today else start
    return (target - today).days


def _date(m: re.Match[str], today: date) -> int | None:
    edge = (m.group("edge") or "").strip(" -")
    day_pref = "last" if edge in ("end of", "late") else "first"
    parsed = dateparser.parse(
        m.group("date"),
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": day_pref,
        },
    )
    if parsed is None:
        return None
    target: date = parsed.date()
    if edge == "mid" and not re.search(r"\d{1,2}(?:st|nd|rd|th)?\s", m.group("date")):
        target = target.replace(day=15)
    return (target - today).days


def _season(m: re.Match[str], today: date) -> int:
    month, day = _SEASON_START[m.group("season")]
    year = int(m.group("year")) if m.group("year") else today.year
    start = date(year, month, day)
    if m.group("year") is None and (start < today or m.group("next")):
        start = date(year + 1, month, day)
    return (start - today).days


def _quarter_start(year: int, number: int) -> date:
    return date(year, 3 * (number - 1) + 1, 1)


def _quarter_end(start: date) -> date:
    month = start.month + 2
    return date(start.year, month, calendar.monthrange(start.year, month)[1])
