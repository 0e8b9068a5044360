"""Authority: who decides, read from titles and from how the visitor describes the decision."""

from __future__ import annotations

import re

from agent.extraction._text import Clause, normalise
from core.qualification import Authority, AuthorityStatus

# "Tom Baker, CEO": a clause may open with a name, but not with these words.
_NOT_A_NAME = (
    r"(?:not|me|our|my|the|yes|no|well|so|and|but|hi|hey|hello|thanks|ok|okay|sure|actually|"
    r"also|just|we|i|honestly|currently|right|now|today|sorry)\b"
)
_LEADS = (
    r"(?:(?:\bi'm|\bi am|\bi work as|\bi serve as|\bmy (?:role|title|job title|position|job) is"
    r"|\bas)\s+|(?:\bi'm\s+|\bthis is\s+|^(?!" + _NOT_A_NAME + r"))[a-z'-]+(?:\s+[a-z'-]+)?,"
    r"\s*)"
    r"(?:the |a |an |our |their |one of the )?(?:new |current |interim |acting |senior |sr\.? "
    r"|global |regional |joint |founding )?"
)
_WORD = r"[a-z&/-]+"
_DECIDER_TITLES = (
    rf"chief {_WORD} officer|ceo|cmo|cto|cfo|coo|cro|cio|cpo|ciso|cdo|cco|co-?founder|founder|"
    rf"(?:business |company |store |shop )?owner|president|managing director|general manager|"
    rf"vice[- ]president(?: of {_WORD}(?: {_WORD})?)?|[se]?vp(?: of)?(?: {_WORD}){{0,2}}|"
    rf"head of {_WORD}(?: {_WORD})?|director(?: of {_WORD}(?: {_WORD})?)?|{_WORD} director|"
    r"managing partner|proprietor|principal|gm"
)
_INFLUENCER_TITLES = (
    rf"(?:{_WORD} ){{0,2}}(?:manager|team lead|lead|analyst|engineer|developer|specialist|"
    r"coordinator|consultant|strategist|architect|marketer|executive|associate|representative|rep|sdr|bdr|"
    r"recruiter|ops)"
)
# A title said as a statement ("I'm the CMO") or as the whole clause ("CMO at Acme", "VP
# Sales here"), never a title mentioned in passing ("lead routing", "our CEO's idea").
_BARE = r"^\s*(?:a |an )?(?P<role>{})\s*(?:$|here\b|at\b|of\b|for\b|in\b|with\b|,|@)"
_DECIDER_TITLE = (
    re.compile(rf"{_LEADS}(?P<role>{_DECIDER_TITLES})\b(?!['\u2019]s)"),
    re.compile(_BARE.format(_DECIDER_TITLES)),
)
_INFLUENCER_TITLE = (
    re.compile(rf"{_LEADS}(?P<role>{_INFLUENCER_TITLES})\b(?!['\u2019]s)"),
    re.compile(_BARE.format(_INFLUENCER_TITLES)),
)
_ROLE_TAIL = re.compile(
    r"\s+(?:at|for|in|and|here|with|the|of|from|on|who|but|so|we|i|to)$|\s+(?:at|for|in|here)\s.*$"
)
_OTHERS = (
    r"(?:manager|boss|ceo|cfo|cto|cmo|coo|cro|vp|director|head|founder|co-?founder|owner|board|"
    r"team lead|lead|supervisor|leadership|management|execs?|executives?|committee|procurement|"
    r"finance|partners?|president|it department|legal)"
)
_INFLUENCER = re.compile(
    rf"\b(?:my|our|the)\s+(?:\w+\s+)?{_OTHERS}\b.{{0,40}}?\b(?:decides?|decision|approves?|"
    r"approval|signs? off|sign-off|final say|makes? the call|has the final|has to (?:approve|sign|"
    r"agree|decide)|needs? to (?:approve|sign|agree|decide)|will (?:decide|approve|sign)|"
    r"holds? the budget|owns? the budget)"
    rf"|\b(?:recommend|present|pitch|propose|suggest|bring|take|run)\b(?:\s+(?:it|this|you|"
    rf"them|these|options|baton|the tool|the options))?\s+(?:to|by|past)\s+(?:my|our|the)\s+"
    rf"(?:\w+\s+)?{_OTHERS}"
    r"|\bi(?:'ll| will) recommend\b|\bi'm evaluating\b|\bi am evaluating\b"
    r"|\b(?:evaluating|researching|looking) (?:this |tools |options )?(?:for|on behalf of) "
    r"(?:my|our|the) (?:team|company|boss|manager|department|org)"
    r"|\bshortlist|\bpart of the (?:decision|buying|evaluation)|\bon the (?:buying |evaluation )?"
    r"committee\b|\bi influence\b|\bneed (?:approval|sign-?off|buy-?in)\b"
    r"|\bnot the (?:decision[- ]?maker|one who decides|final (?:say|decision))"
    r"|\bi (?:don't|do not) (?:make|have) the (?:final )?(?:decision|call|say)"
    r"|\bi (?:can't|cannot) (?:decide|sign off|approve)|\bdecision is (?:not mine|above me)"
    r"|\b(?:it's|it is|that's|that is) not my (?:call|decision)|\bnot up to me\b"
    r"|\bneed to (?:check|ask|run it by|talk to|consult)(?: with)? (?:my|our|the)\b"
    rf"|\b(?:my|our) (?:\w+\s+)?{_OTHERS}\s+(?:asked|wants|told|tasked) me\b"
    r"|\b(?:the )?team decides\b|\bwe decide together\b|\bjoint decision\b",
)
_DECIDER = re.compile(
    r"\bi (?:sign off|sign the|make the (?:final )?(?:decision|call)|decide|approve (?:the )?"
    r"(?:budget|purchases?|spend)|own the budget|hold the budget|have (?:the )?final say|"
    r"have sign-?off|call the shots)\b|\b(?:i'm|i am) the (?:final )?decision[- ]?maker"
    r"|\b(?:it's|it is|that's|the decision is) (?:my|all my) (?:call|decision)"
    r"|\bdecision is mine\b|(?<!not )(?<!isn't )\b(?:it's |it is |this is |that's |, ?)?my "
    r"(?:decision|call|budget)\b(?! (?:is|was|will|has|needs|isn't))"
    r"|\bi run (?:the|this|our) (?:company|business|shop|agency|show)\b"
    r"|\bi own (?:the|this|our) (?:company|business|shop|agency)\b|\bbudget holder\b"
    r"|\bi (?:run|lead|head(?: up)?|manage|own) (?:the |our )?(?:marketing|sales|growth|revops|"
    r"rev ops|operations|demand gen|go-to-market|gtm|it|engineering)\b"
    r"|\bi'm (?:in charge of|responsible for) (?:the |our )?(?:marketing|sales|growth|revops|"
    r"operations|demand gen|buying|purchasing|this (?:project|purchase|decision)|tooling)\b"
    r"|\bone of (?:the )?(?:\w+ )?(?:decision[- ]?makers|people (?:deciding|who decide)|"
    r"approvers|signers)",
)
_NO_AUTHORITY: tuple[tuple[str, bool, re.Pattern[str]], ...] = (
    # (role, need none too?, pattern)
    ("student", True, re.compile(
        r"\b(?:i'm|i am)\s+(?:a |an |just a )?(?:[a-z]+ )?student\b|\bfor (?:a|my) (?:class|"
        r"course|thesis|dissertation|school|university|homework|assignment|research paper)\b")),
    ("job seeker", True, re.compile(
        r"\blooking for (?:a |an )?(?:new )?(?:job|work|employment|position|internship)\b"
        r"|\bjob ?(?:seeker|hunting|search)\b|\bapply(?:ing)? for (?:a |the |an )?(?:job|"
        r"position|role|opening|internship)\b|\bare you hiring\b|\bsend (?:you )?my (?:cv|"
        r"resume)\b|\bwork for you\b")),
    ("competitor", True, re.compile(
        r"\bi work (?:at|for) (?:a |one of your )?competitors?\b|\bwe(?:'re| are) (?:a |your )?"
        r"competitors?\b|\b(?:from|with|at) (?:a |your )?competitor\b|\bcompeting product\b"
        r"|\bwe (?:build|make|sell) (?:a |the )?(?:similar|same|competing)\b"
        r"|\b(?:work|i'm) (?:at|for|with) (?:a |an )?competing\b|\bcompetitive (?:research|"
        r"intel\w*|analysis)\b")),
    ("vendor", True, re.compile(
        r"\bwe (?:sell|offer|provide)\b.{0,30}\b(?:lead[- ]?gen(?:eration)?|leads|seo|marketing "
        r"services|outsourc\w*|development services|appointment setting|b2b data)\b"
        r"|\b(?:want|like|love|looking|hoping|interested|keen) to (?:partner|collaborate|pitch|"
        r"offer you|sell you|show you our)\b|\bpitch you\b|\b(?:our|my) (?:agency|services|firm)"
        r" (?:can|could) help (?:you|your)\b|\bi(?:'d| would) like to (?:offer|pitch|introduce "
        r"(?:you to )?our)\b")),
    ("intern", False, re.compile(r"\b(?:i'm|i am)\s+(?:an? |the |just an? )?(?:[a-z]+ )?intern\b")),
)  # fmt: skip
_TERSE_DECIDER = re.compile(
    r"^\W*(?:yes,?\s+)?(?:me|i do|myself|i am|that's me|that is me|it's me|just me|only me|"
    r"that would be me|that'd be me|i make (?:it|them|the call|the decision)|i decide|mine|"
    r"me (?:and|\+|&) (?:my|our|the) [a-z-]+|i have the final say)\W*$",
)
_TERSE_INFLUENCER = re.compile(
    rf"^\W*(?:not me|someone else|(?:my|our|the)\s+(?:\w+\s+)?{_OTHERS}|a committee|"
    r"we all do|together|the team)\b",
)
_ACRONYMS = {"ceo", "cmo", "cto", "cfo", "coo", "cro", "cio", "cpo", "ciso", "cdo", "cco", "vp",
             "svp", "evp", "gm", "it", "hr", "sdr", "bdr", "revops", "seo"}  # fmt: skip


def parse_authority(text: str) -> Authority | None:
    """Read who decides from text (a title, a phrase, or a terse answer to "who decides?")."""
    return _parse(text, asked="authority", question=False)


def extract_authority(clauses: list[Clause], *, asked: str | None) -> tuple[Authority | None, bool]:
    """Return the visitor's authority in these clauses and whether it also rules out a need."""
    found: Authority | None = None
    need_none = False
    for clause in clauses:
        if clause.injection:
            continue
        hit = _parse(clause.text, asked=asked, question=clause.question)
        if hit is not None:
            found = hit.model_copy(update={"evidence": clause.text})
            need_none = hit.status == "no_authority" and _rules_out_need(clause.text)
    return found, need_none


def _rules_out_need(text: str) -> bool:
    low = normalise(text)
    return any(rules_out and p.search(low) for _r, rules_out, p in _NO_AUTHORITY)


def _parse(raw: str, *, asked: str | None, question: bool) -> Authority | None:
    text = normalise(raw)
    for role, _need_none, pattern in _NO_AUTHORITY:
        if pattern.search(text):
            return Authority(status="no_authority", role=role)
    if question:
        return None  # "who signs off at your company?" says nothing about the visitor
    # "I'm the VP of Sales, I sign off" names a title that the "others decide" phrases
    # would read as someone else; the visitor's own claim comes first.
    if _DECIDER.search(text):
        return _with_role(raw, "decision_maker", _title(_DECIDER_TITLE, text))
    if _INFLUENCER.search(text):
        return _with_role(raw, "influencer", _title(_INFLUENCER_TITLE, text))
    if asked == "authority" and _TERSE_INFLUENCER.match(text):
        return Authority(status="influencer")  # "the CFO" answers "who decides?"
    if m := _title(_DECIDER_TITLE, text):
        return _with_role(raw, "decision_maker", m)
    if m := _title(_INFLUENCER_TITLE, text):
        return _with_role(raw, "influencer", m)
    if asked == "authority":
        if _TERSE_DECIDER.match(text):
            return Authority(status="decision_maker")
        if _TERSE_INFLUENCER.match(text):
            return Authority(status="influencer")
    return None


def _title(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        if m := pattern.search(text):
            return m
    return None


def _with_role(raw: str, status: AuthorityStatus, m: re.Match[str] | None) -> Authority:
    return Authority(status=status, role=_role_text(raw, m.group("role")) if m else None)


def _role_text(raw: str, role: str) -> str:
    role = _ROLE_TAIL.sub("", role.strip()).strip(" ,.")
    original = re.search(re.escape(role), raw, re.IGNORECASE)
    text = original.group(0) if original else role
    if text.islower():
        text = " ".join(w.upper() if w in _ACRONYMS else w for w in text.split())
    return text
