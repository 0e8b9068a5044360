"""Contact extraction: validated e-mail, phone numbers, names and companies."""

from __future__ import annotations

from datetime import date

import pytest

from agent.extraction import extract, parse_contact
from agent.models import Facts
from core.qualification import Contact, Qualification

TODAY = date(2026, 1, 10)


def _facts(text: str, asked: str | None = None, current: Qualification | None = None) -> Facts:
    return extract(text, message_id="m1", current=current or Qualification(), today=TODAY,
                   asked=asked)  # fmt: skip


# (text, email, phone, name, company)
CASES = [
    ("dana@acme.com", "dana@acme.com", None, None, None),
    ("reach me at Dana.Smith@Acme.co.uk please", "Dana.Smith@acme.co.uk", None, None, None),
    ("my email is dana@acme", None, None, None, None),
    ("dana@@acme.com", None, None, None, None),
    ("call me on +44 20 7946 0958", None, "+442079460958", None, None),
    ("my cell is (415) 555-0132", None, "+14155550132", None, None),
    ("415-555-0132", None, "+14155550132", None, None),
    ("+1 415 555 2671", None, "+14155552671", None, None),
    ("I'm Dana Smith", None, None, "Dana Smith", None),
    ("my name is Dana", None, None, "Dana", None),
    ("my name is dana smith", None, None, "Dana Smith", None),
    ("This is Dana from Acme", None, None, "Dana", "Acme"),
    ("Hi, I'm Dana Smith, head of RevOps at Acme Logistics", None, None, "Dana Smith",
     "Acme Logistics"),
    ("I work at Initech", None, None, None, "Initech"),
    ("i work at globex corp", None, None, None, "globex corp"),
    ("we're Acme Inc.", None, None, None, "Acme Inc."),
    ("Our company is called Umbrella Health", None, None, None, "Umbrella Health"),
    ("CMO at Wayne Enterprises", None, None, None, "Wayne Enterprises"),
    ("Dana here, from Acme", None, None, "Dana", "Acme"),
    ("Thanks, Dana", None, None, "Dana", None),
    ("Sarah from Globex here", None, None, "Sarah", "Globex"),
    ("I'm Priya from Stark Industries, priya@stark.io, +1 (212) 555-0199", "priya@stark.io",
     "+12125550199", "Priya", "Stark Industries"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "email", "phone", "name", "company"), CASES)
def test_contact_details(
    text: str, email: str | None, phone: str | None, name: str | None, company: str | None
) -> None:
    c = _facts(text).qualification.contact
    assert (c.email, c.phone, c.name, c.company) == (email, phone, name, company)


NOT_CONTACT = [
    "I'm looking for a tool",
    "I'm interested in the Pro plan",
    "I'm the CMO",
    "I work at a competitor",
    "we need 24/7 support for 10,000 leads",
    "I looked at Pricing yesterday",
    "It's Monday and we're busy",
    "we're Looking at options",
    "budget is $12,000 in 2026",
    "Sales from 9 to 5 only",
]


@pytest.mark.parametrize("text", NOT_CONTACT)
def test_phrases_without_contact_details(text: str) -> None:
    facts = _facts(text)
    assert facts.qualification.contact == Contact()
    assert not [c for c in facts.changed if c.startswith("contact")]


def test_changed_names_each_contact_field() -> None:
    facts = _facts("I'm Dana from Acme, dana@acme.com")
    assert facts.changed == ["contact.email", "contact.name", "contact.company"]


def test_a_bare_name_answers_a_contact_question() -> None:
    c = _facts("dana smith, dana@acme.com", asked="contact").qualification.contact
    assert (c.name, c.email) == ("Dana Smith", "dana@acme.com")
    assert _facts("dana smith").qualification.contact.name is None


def test_new_details_add_to_known_ones_and_correct_them() -> None:
    first = _facts("I'm Dana from Acme")
    facts = extract("oops, use dana@acme.io, not the old one", message_id="m2",
                    current=first.qualification, today=TODAY)  # fmt: skip
    c = facts.qualification.contact
    assert (c.name, c.company, c.email) == ("Dana", "Acme", "dana@acme.io")
    assert facts.changed == ["contact.email"]
    again = extract("my email is dana@acme.com", message_id="m3",
                    current=facts.qualification, today=TODAY)  # fmt: skip
    assert again.qualification.contact.email == "dana@acme.com"


def test_parse_contact_reads_what_is_there() -> None:
    c = parse_contact("Dana Smith <dana@acme.com>, +44 20 7946 0958")
    assert (c.email, c.phone) == ("dana@acme.com", "+442079460958")
    assert parse_contact("nothing to see") == Contact()
