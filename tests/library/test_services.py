"""The library's rules: workflow, permissions, visibility, translations, adaptations, bad input."""

from __future__ import annotations

import pytest

from app.core.audit import events_for
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role
from app.library import finding, services
from app.library.models import Practice, Workflow
from tests.library.conftest import fields


def test_ambassador_writes_only_for_own_state(draft, ambassador, nation, organiser):
    practice = draft()
    assert practice.nation.iso2 == "SN" and practice.status == Workflow.DRAFT
    assert services.may_write_for(practice.author, nation("SN"))
    other = ambassador("FR")
    assert not services.may_edit(other, practice)
    with pytest.raises(Forbidden):
        services.update_practice(other, practice, fields(title="Pris"), edition=practice.edition)
    assert practice.original.title == "Stratégie nationale de cybersécurité"
    # Staff write for any State they name.
    made = services.create_practice(organiser, fields(), language="en", iso2="KE")
    assert made.nation.iso2 == "KE"


def test_observer_cannot_create(make_user):
    with pytest.raises(Forbidden):
        services.create_practice(make_user(Role.OBSERVER), fields(), language="en")


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"),
    ({"title": "<script>alert(1)</script>"}, "title"),
    ({"body": "   "}, "body"),
    ({"kind": "manifesto"}, "kind"),
    ({"visibility": "everyone"}, "visibility"),
    ({"year": 1800}, "year"),
    ({"year": None}, "year"),
    ({"themes": []}, "themes"),
    ({"themes": ["astrology"]}, "themes"),
    ({"articles": ["9.9"]}, "articles"),
    ({"links": "javascript:alert(1)"}, "links"),
])
def test_bad_input_is_refused_and_changes_nothing(session, ambassador, change, field):
    author = ambassador("SN")
    before = session.query(Practice).count()
    with pytest.raises(Invalid) as error:
        services.create_practice(author, fields(**change), language="fr")
    assert error.value.field == field
    session.rollback()
    assert session.query(Practice).count() == before


def test_unknown_language_is_refused(ambassador):
    with pytest.raises(Invalid):
        services.create_practice(ambassador("SN"), fields(), language="xx")


def test_workflow_publish_refuse_revise_withdraw(session, draft, organiser):
    practice = draft()
    author = practice.author
    assert not services.may_read(None, practice)
    with pytest.raises(Conflict):
        services.publish_practice(organiser, practice)  # not submitted yet
    services.submit_practice(author, practice)
    with pytest.raises(Forbidden):
        services.publish_practice(author, practice)  # authors never publish themselves
    services.refuse_practice(organiser, practice, "Ajoutez les dates, s'il vous plaît.")
    assert practice.status == Workflow.DRAFT and "dates" in practice.refusal_reason
    services.submit_practice(author, practice)
    services.publish_practice(organiser, practice)
    assert practice.status == Workflow.PUBLISHED and practice.published_version == 1
    assert services.may_read(None, practice)

    services.update_practice(author, practice, fields(body="Une équipe nationale.\n\n- formation"),
                             edition=practice.edition)
    assert practice.status == Workflow.SUBMITTED
    # Readers keep the published version while the revision waits for review.
    assert "**équipe**" in services.reading(practice, "fr").body
    services.publish_practice(organiser, practice)
    assert practice.published_version == 2
    assert [v.number for v in services.versions(practice)] == [1, 2]
    changes = services.version_diff(practice, 2)
    assert ("+", "Une équipe nationale.") in changes
    assert ("-", "- exercices") in changes
    with pytest.raises(NotFound):
        services.version_diff(practice, 7)

    services.withdraw_practice(author, practice)
    assert practice.status == Workflow.WITHDRAWN and not services.may_read(None, practice)
    actions = [e.action for e in events_for("practice", practice.id)]
    assert {"library.created", "library.refused", "library.published", "library.withdrawn"} <= set(actions)


def test_refusal_needs_a_reason(draft, organiser):
    practice = draft()
    services.submit_practice(practice.author, practice)
    with pytest.raises(Invalid):
        services.refuse_practice(organiser, practice, "  ")
    assert practice.status == Workflow.SUBMITTED


def test_second_save_of_a_stale_form_is_refused(draft):
    practice = draft()
    edition = practice.edition
    services.update_practice(practice.author, practice, fields(title="Première"), edition=edition)
    with pytest.raises(Conflict):
        services.update_practice(practice.author, practice, fields(title="Seconde"), edition=edition)
    assert practice.original.title == "Première"


def test_visibility(published, make_user, ambassador, sign_state):
    members_only = published(visibility="members")
    signatories = published(visibility="signatories")
    observer = make_user(Role.OBSERVER)
    assert not services.may_read(None, members_only)
    assert services.may_read(observer, members_only)
    assert not services.may_read(observer, signatories)
    outsider = ambassador("FR")
    assert not services.may_read(outsider, signatories)
    sign_state("FR")
    assert services.may_read(outsider, signatories)
    with pytest.raises(NotFound):
        services.get_practice(None, members_only.id)
    with pytest.raises(NotFound):
        services.get_practice(None, 10**12)


def test_translation_is_signed_and_read_in_the_readers_language(session, published, ambassador):
    practice = published()
    translator = ambassador("CN", display_name="Li Wenjing")
    text = services.translate_practice(translator, practice, language="zh", title="国家网络安全战略",
                                       summary="三部分战略。", body="我们建立了国家应急小组。")
    assert text.is_translation and text.signed_by_id == translator.id
    zh = services.reading(practice, "zh")
    assert zh.is_translation and zh.title == "国家网络安全战略"
    en = services.reading(practice, "en")
    assert en.language == "fr" and not en.is_translation and en.available == ["fr", "zh"]
    with pytest.raises(Invalid):
        services.translate_practice(translator, practice, language="fr", title="x", summary="x", body="x")
    with pytest.raises(Invalid):
        services.translate_practice(translator, practice, language="klingon", title="x", summary="x", body="x")


def test_drafts_cannot_be_translated(draft, make_user):
    with pytest.raises(Forbidden):
        services.translate_practice(make_user(Role.OBSERVER), draft(), language="en", title="x",
                                    summary="x", body="x")


def test_search_finds_words_of_every_language(session, published, ambassador):
    practice = published()
    services.translate_practice(ambassador("CN"), practice, language="zh", title="国家网络安全战略",
                                summary="三部分战略。", body="我们建立了国家应急小组。")
    other = published(iso2="KE", language="en", title="Digital ID law", summary="A law.",
                      body="Identity for all.", themes=["digital_inclusion"])
    session.commit()

    def found(**args) -> list[int]:
        return [p.id for p in finding.find_practices(None, finding.parse_filters(args)).practices]

    assert found(q="cybersecurite") == [practice.id]      # accents folded
    assert found(q="网络安全") == [practice.id]             # Chinese bigrams
    assert found(q="identity") == [other.id]
    assert found(q="identity cybersecurite") == []
    assert found(theme="digital_inclusion") == [other.id]
    assert found(grouping="LDC") == [practice.id]         # Senegal is a least developed country
    assert found(region="002") == [other.id, practice.id]  # both in Africa, newest first
    assert found(language="zh") == [practice.id]
    assert found(article="2.1", year="2024") == [other.id, practice.id]
    for bad in ({"theme": "astrology"}, {"year": "20x4"}, {"page": "0"}, {"grouping": "G7"}):
        with pytest.raises(Invalid):
            finding.parse_filters(bad)


def test_adaptation_links_two_states_and_counts_on_impact(session, published, ambassador):
    practice = published()
    learner = ambassador("NP")
    assert not services.may_record_adaptation(practice.author, practice)  # not one's own State
    with pytest.raises(Invalid):
        services.record_adaptation(learner, practice, "")
    services.record_adaptation(learner, practice, "Nous avons repris le volet formation.")
    with pytest.raises(Conflict):
        services.record_adaptation(learner, practice, "encore")
    with pytest.raises(Forbidden):
        services.record_adaptation(ambassador("FR", role=Role.OBSERVER), practice, "x")
    impact = finding.impact(None)
    assert impact.exchanges == 1
    assert impact.pairs["south_south"] == 1   # Senegal and Nepal are both least developed
    assert impact.by_region["002"] == 1 and impact.by_grouping["LDC"] == 1
