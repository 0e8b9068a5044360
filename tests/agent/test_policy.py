"""The qualification policy: stage rules, scores, validation and versioned storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from agent.policy import (
    DEFAULT_FILE,
    DEFAULT_POLICY,
    QualificationPolicy,
    list_policy_history,
    load_active_policy,
    load_policy_file,
    qualify,
    save_policy,
)
from core.db import get_engine
from core.qualification import Authority, Budget, Contact, Need, Qualification, Timeline
from core.schema import init_schema


def _q(
    budget: str = "unknown",
    authority: str = "unknown",
    need: str = "unknown",
    timeline: str = "unknown",
    days: int | None = None,
    contact: Contact | None = None,
) -> Qualification:
    return Qualification(
        budget=Budget(status=budget),
        authority=Authority(status=authority),
        need=Need(status=need),
        timeline=Timeline(status=timeline, within_days=days),
        contact=contact or Contact(),
    )


# (state, stage) under the default policy: the rules, each edge.
STAGES = [
    (_q(), "unqualified"),
    (_q(need="none"), "disqualified"),
    (_q(authority="no_authority", need="identified", budget="allocated"), "disqualified"),
    (_q(budget="none", need="identified", authority="decision_maker"), "disqualified"),
    (_q(need="none", contact=Contact(email="a@b.co")), "disqualified"),
    (_q("allocated", "decision_maker", "identified", "stated", 90), "sql"),
    (_q("allocated", "influencer", "identified", "stated", 30), "sql"),
    (_q("allocated", "decision_maker", "identified", "stated", 91), "mql"),
    (_q("exploring", "decision_maker", "identified", "stated", 30), "mql"),
    (_q("allocated", "unknown", "identified", "stated", 30), "mql"),
    (_q("allocated", "decision_maker", "identified", "none"), "mql"),
    (_q("allocated", "decision_maker", "unknown", "stated", 10), "unqualified"),
    (_q(need="identified"), "unqualified"),
    (_q(need="identified", budget="exploring"), "mql"),
    (_q(need="identified", authority="influencer"), "mql"),
    (_q(need="identified", timeline="stated", days=180), "mql"),
    (_q(need="identified", timeline="stated", days=181), "unqualified"),
    (_q(need="identified", timeline="none"), "unqualified"),
    (_q(contact=Contact(name="Dana")), "mql"),
    (_q(budget="exploring"), "unqualified"),
]


@pytest.mark.parametrize(("state", "stage"), STAGES)
def test_default_stage_rules(state: Qualification, stage: str) -> None:
    assert qualify(state, DEFAULT_POLICY).stage == stage


def test_qualify_returns_a_scored_copy() -> None:
    state = _q("allocated", "decision_maker", "identified", "stated", 30,
               Contact(email="dana@acme.com"))  # fmt: skip
    result = qualify(state, DEFAULT_POLICY)
    assert (result.score, result.stage) == (100, "sql")
    assert (state.score, state.stage) == (0, "unqualified")
    assert result.budget == state.budget


@pytest.mark.parametrize(
    ("state", "score"),
    [
        (_q(), 0),
        (_q(need="identified"), 30),
        (_q(budget="exploring"), 12),  # 25 * 50% = 12.5, rounded half to even
        (_q(authority="influencer"), 12),
        (_q(timeline="stated", days=90), 15),
        (_q(timeline="stated", days=120), 9),
        (_q(timeline="stated", days=400), 4),  # 15 * 30% = 4.5
        (_q(contact=Contact(company="Acme")), 5),
        (_q(contact=Contact(phone="+14155550132")), 10),
        (_q("none", "no_authority", "none", "none"), 0),
    ],
)
def test_default_scores(state: Qualification, score: int) -> None:
    assert qualify(state, DEFAULT_POLICY).score == score


def _body(**changes: Any) -> dict[str, Any]:
    body = DEFAULT_POLICY.model_dump()
    for path, value in changes.items():
        node = body
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return body


def test_scores_are_clipped_to_0_100() -> None:
    generous = QualificationPolicy.model_validate(
        _body(points__need={"identified": 100, "none": -100, "unknown": 0})
    )
    low = _q(need="none")
    assert qualify(low, generous).score == 0
    negative_only = QualificationPolicy.model_validate(
        _body(points__budget={"none": -100}, points__need={"none": -100})
    )
    assert qualify(_q("none", need="none"), negative_only).score == 0


def test_tuned_rules_change_the_stage() -> None:
    strict = QualificationPolicy.model_validate(
        _body(
            rules__sql__max_days=30, rules__mql__contact_qualifies=False, rules__mql__min_positive=2
        )
    )
    assert qualify(_q("allocated", "decision_maker", "identified", "stated", 60), strict).stage == (
        "mql"
    )
    assert qualify(_q(contact=Contact(email="a@b.co")), strict).stage == "unqualified"
    assert qualify(_q("exploring", need="identified"), strict).stage == "unqualified"
    lenient = QualificationPolicy.model_validate(_body(rules__sql__budget=[]))
    assert qualify(_q("unknown", "influencer", "identified", "stated", 10), lenient).stage == "sql"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_body(weights__need=20), "weights must sum to 100, got 90"),
        (_body(weights__budget=101), "less than or equal to 100"),
        (_body(weights__budget=-5), "greater than or equal to 0"),
        (_body(points__budget={"allocated": 150}), "less than or equal to 100"),
        (_body(points__budget={"plenty": 100}), "plenty"),
        (_body(rules__sql__max_days=200), "sql.max_days (200) must not exceed mql.max_days (180)"),
        (_body(rules__sql__need=["none"]), "disqualify.need rejects"),
        (_body(rules__sql__authority=["boss"]), "boss"),
        (_body(rules__mql__min_positive=4), "less than or equal to 3"),
        (_body(rules__mql__max_days=-1), "greater than or equal to 0"),
        ({**_body(), "colour": "blue"}, "Extra inputs are not permitted"),
        (_body(weights__speed=10), "Extra inputs are not permitted"),
    ],
)
def test_invalid_policies_are_refused_with_the_reason(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        QualificationPolicy.model_validate(body)
    assert message in str(err.value)


def test_the_shipped_file_is_the_default_policy() -> None:
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert QualificationPolicy.model_validate(data) == DEFAULT_POLICY
    assert DEFAULT_POLICY.rules.sql.max_days == 90
    assert DEFAULT_POLICY.rules.mql.max_days == 180


def test_a_broken_policy_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("weights: {budget: 10, authority: 10, need: 10, timeline: 10}\n")
    with pytest.raises(ValueError, match=r"policy\.yaml: weights: weights must sum to 100, got 40"):
        load_policy_file(bad)


def test_versions_are_stored_and_the_newest_is_active(database_url: str) -> None:
    engine = get_engine(database_url)
    try:
        _check_versions(engine)
    finally:
        engine.dispose()  # close pooled connections before the database is dropped


def _check_versions(engine: Engine) -> None:
    init_schema(engine)
    version, policy = load_active_policy(engine)
    assert (version, policy) == (1, DEFAULT_POLICY)
    tuned = QualificationPolicy.model_validate(_body(rules__sql__max_days=60))
    assert save_policy(engine, tuned, author="Mia") == 2
    assert save_policy(engine, DEFAULT_POLICY, author="Mia") == 3
    assert load_active_policy(engine) == (3, DEFAULT_POLICY)
    history = list_policy_history(engine)
    assert [(r.version, r.author) for r in history] == [(3, "Mia"), (2, "Mia"), (1, "system")]
    assert history[1].body["rules"]["sql"]["max_days"] == 60


def test_the_initial_version_comes_from_the_configured_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "ours.yaml"
    custom.write_text(yaml.safe_dump(_body(rules__sql__max_days=45)))
    monkeypatch.setenv("BATON_QUALIFICATION_FILE", str(custom))
    engine = get_engine(f"sqlite:///{tmp_path / 'baton.db'}")
    init_schema(engine)
    version, policy = load_active_policy(engine)
    assert (version, policy.rules.sql.max_days) == (1, 45)
    assert list_policy_history(engine)[0].author == "system"
    engine.dispose()
