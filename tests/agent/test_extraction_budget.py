"""Budget extraction: amounts, ranges, currencies, periods, status, and what is not a budget."""

from __future__ import annotations

from datetime import date

import pytest

from agent.extraction import extract, parse_budget
from core.qualification import Budget, Qualification

TODAY = date(2026, 1, 10)


def _budget(text: str, asked: str | None = None, current: Qualification | None = None) -> Budget:
    facts = extract(text, message_id="m1", current=current or Qualification(), today=TODAY,
                    asked=asked)  # fmt: skip
    return facts.qualification.budget


# (text, status, amount, amount_max, currency, period)
CASES = [
    ("$12k a year", "allocated", 12000, None, "USD", "annual"),
    ("500 euros a month", "allocated", 500, None, "EUR", "monthly"),
    ("between 60 and 80k", "allocated", 60000, 80000, None, None),
    ("Our budget is between $60 and $80k", "allocated", 60000, 80000, "USD", None),
    ("up to 50k", "allocated", None, 50000, None, None),
    ("We can spend up to €50,000 per year", "allocated", None, 50000, "EUR", "annual"),
    ("no budget yet", "none", None, None, None, None),
    ("We don't have a budget for this", "none", None, None, None, None),
    ("£8,000 approved", "allocated", 8000, None, "GBP", None),
    ("we're still figuring out budget", "exploring", None, None, None, None),
    ("around 1.5M", "exploring", 1500000, None, None, None),
    ("€30.000", "allocated", 30000, None, "EUR", None),
    ("the budget is 30.000 EUR", "allocated", 30000, None, "EUR", None),
    ("$2,500/mo", "allocated", 2500, None, "USD", "monthly"),
    ("10-15k per year", "allocated", 10000, 15000, None, "annual"),
    ("budget is tight", "exploring", None, None, None, None),
    ("we have budget", "allocated", None, None, None, None),
    ("We've set aside $40k for this project", "allocated", 40000, None, "USD", None),
    ("Our budget has been allocated: 25k USD annually", "allocated", 25000, None, "USD", "annual"),
    ("maybe $5k a month", "exploring", 5000, None, "USD", "monthly"),
    ("we're thinking roughly 20 grand", "exploring", 20000, None, None, None),
    ("we're looking at about $10,000", "exploring", 10000, None, "USD", None),
    ("budget's approved, 100k", "allocated", 100000, None, None, None),
    ("we could pay 300 dollars a month", "allocated", 300, None, "USD", "monthly"),
    ("budget of 2 million", "allocated", 2000000, None, None, None),
    ("i have a budjet of 15k", "allocated", 15000, None, None, None),
    ("a one-time budget of $8,500", "allocated", 8500, None, "USD", "one_time"),
    ("We have £1.2m earmarked", "allocated", 1200000, None, "GBP", None),
    ("budget hasn't been approved yet, probably 50k", "exploring", 50000, None, None, None),
    ("no more than $900 a month", "allocated", None, 900, "USD", "monthly"),
    (
        "We need to reduce churn, our budget is 5000 GBP yearly",
        "allocated",
        5000,
        None,
        "GBP",
        "annual",
    ),
    (
        "Our fiscal year starts in April, so budget gets approved then",
        "exploring",
        None,
        None,
        None,
        None,
    ),
    ("We have $40k approved for this year", "allocated", 40000, None, "USD", "annual"),
]


@pytest.mark.parametrize(("text", "status", "amount", "amount_max", "currency", "period"), CASES)
def test_budget_statements(
    text: str,
    status: str,
    amount: float | None,
    amount_max: float | None,
    currency: str | None,
    period: str | None,
) -> None:
    b = _budget(text)
    got = (b.status, b.amount, b.amount_max, b.currency, b.period)
    assert got == (status, amount, amount_max, currency, period)
    assert b.evidence and b.evidence in text
    assert b.message_id == "m1"


NOT_BUDGETS = [
    "we have 50 employees",
    "we're on version 2",
    "we need 24/7 coverage",
    "we get 10,000 leads a month",
    "we need 99.9% uptime",
    "we started in 2026",
    "call me on +1 415 555 2671",
    "my number is (415) 555-0132",
    "I saw the Pro plan is $99/month",
    "your site says $49 per seat",
    "what does the Enterprise plan cost?",
    "is $99 the monthly price?",
    "we lose $10k a month to churn",
    "we make about $2M in revenue",
    "we have 3 sales reps and 12k contacts",
    "we're exploring options",
    "we had 12 meetings last week",
    "I'm 35 years old",
    "We're a 40-person SaaS company",
    "we have 10k users",
]


@pytest.mark.parametrize("text", NOT_BUDGETS)
def test_numbers_that_are_not_budgets(text: str) -> None:
    facts = extract(text, message_id="m1", current=Qualification(), today=TODAY)
    assert facts.qualification.budget == Budget()
    assert "budget" not in facts.changed


# Terse answers read in the context of a budget question.
ASKED = [
    ("about 20k", "exploring", 20000, None),
    ("20000", "allocated", 20000, None),
    ("we don't have one", "none", None, None),
    ("none yet", "none", None, None),
    ("exploring", "exploring", None, None),
    ("not sure yet", "exploring", None, None),
    ("5-10k", "allocated", 5000, 10000),
    ("$750", "allocated", 750, None),
    ("idk", "exploring", None, None),
]


@pytest.mark.parametrize(("text", "status", "amount", "amount_max"), ASKED)
def test_terse_answers_to_a_budget_question(
    text: str, status: str, amount: float | None, amount_max: float | None
) -> None:
    b = _budget(text, asked="budget")
    assert (b.status, b.amount, b.amount_max) == (status, amount, amount_max)


def test_terse_answer_means_nothing_without_the_question() -> None:
    assert _budget("we don't have one").status == "unknown"
    assert _budget("about 20000").status == "unknown"
    assert _budget("we have 50 employees", asked="budget").status == "unknown"


def test_correction_replaces_the_amount_and_keeps_currency_and_period() -> None:
    first = extract("$12k a year", message_id="m1", current=Qualification(), today=TODAY)
    facts = extract("actually it's 25k", message_id="m2", current=first.qualification,
                    today=TODAY)  # fmt: skip
    b = facts.qualification.budget
    assert (b.amount, b.currency, b.period, b.message_id) == (25000, "USD", "annual", "m2")
    assert b.evidence == "actually it's 25k"
    assert facts.changed == ["budget"]


def test_a_bare_corrected_figure_keeps_the_worded_status() -> None:
    first = extract("budget would be around $15k a year but it still needs approval",
                    message_id="m1", current=Qualification(), today=TODAY)  # fmt: skip
    assert first.qualification.budget.status == "exploring"
    facts = extract("sorry, I mean 15k euros, we pay everything in EUR", message_id="m2",
                    current=first.qualification, today=TODAY)  # fmt: skip
    b = facts.qualification.budget
    assert (b.status, b.amount, b.currency, b.period) == ("exploring", 15000, "EUR", "annual")
    worded = extract("it's 20k now and approved", message_id="m3",
                     current=facts.qualification, today=TODAY)  # fmt: skip
    assert worded.qualification.budget.status == "allocated"


def test_status_only_statement_keeps_the_figure() -> None:
    first = extract("roughly 20k", message_id="m1", current=Qualification(), today=TODAY,
                    asked="budget")  # fmt: skip
    assert first.qualification.budget.status == "exploring"
    facts = extract("good news, the budget is approved", message_id="m2",
                    current=first.qualification, today=TODAY)  # fmt: skip
    b = facts.qualification.budget
    assert (b.status, b.amount) == ("allocated", 20000)


def test_restating_the_same_budget_is_not_a_change() -> None:
    first = extract("$12k a year", message_id="m1", current=Qualification(), today=TODAY)
    again = extract("like I said, $12k a year", message_id="m2", current=first.qualification,
                    today=TODAY)  # fmt: skip
    assert "budget" not in again.changed
    assert again.qualification.budget.message_id == "m1"


def test_later_none_clears_the_amount() -> None:
    first = extract("$12k a year", message_id="m1", current=Qualification(), today=TODAY)
    facts = extract("sorry, turns out we have no budget", message_id="m2",
                    current=first.qualification, today=TODAY)  # fmt: skip
    assert facts.qualification.budget.status == "none"
    assert facts.qualification.budget.amount is None


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("$12k a year", (12000, "USD", "annual")),
        ("500 euros a month", (500, "EUR", "monthly")),
        ("€30.000", (30000, "EUR", None)),
        ("about 20k", (20000, None, None)),
    ],
)
def test_parse_budget_normalises_model_quotes(
    quote: str, expected: tuple[float, str | None, str | None]
) -> None:
    b = parse_budget(quote)
    assert b is not None
    assert (b.amount, b.currency, b.period) == expected


def test_parse_budget_returns_none_for_no_budget_words() -> None:
    assert parse_budget("we have 50 employees") is None
    assert parse_budget("hello there") is None
