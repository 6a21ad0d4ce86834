"""Search finds words in all seven languages, Chinese included, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from app.core.db import unit_of_work
from app.rooms import search, services

SAMPLES = {
    "en": ("Artificial intelligence governance needs shared standards", "standards"),
    "fr": ("La gouvernance de l'intelligence artificielle exige des normes éthiques",
           "ethiques normes"),
    "es": ("La gobernanza de la inteligencia artificial necesita cooperación", "cooperacion"),
    "ru": ("Управление искусственным интеллектом требует общих стандартов", "стандартов"),
    "ar": ("حوكمة الذكاء الاصطناعي تتطلب معايير مشتركة", "معايير"),
    "zh": ("人工智能治理需要共同的标准和国际合作", "国际合作"),
    "uz": ("Sunʼiy intellektni boshqarish umumiy standartlarni talab qiladi", "boshqarish"),
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_search_finds_words_in_every_language(language, make_user, open_room, post) -> None:
    alice = make_user()
    room = open_room("R", alice)
    text, query = SAMPLES[language]
    wanted = post(alice, room, text)
    for other_language, (other, _query) in SAMPLES.items():
        if other_language != language:
            post(alice, room, other)
    assert [m.id for m in services.search_messages(alice, query)] == [wanted.id]


def test_chinese_matches_inside_a_run_without_spaces(make_user, open_room, post) -> None:
    alice = make_user()
    room = open_room("R", alice)
    found = post(alice, room, "我们讨论人工智能治理")
    post(alice, room, "我们讨论数据保护")
    assert [m.id for m in services.search_messages(alice, "智能")] == [found.id]
    assert services.search_messages(alice, "智治") == []


def test_search_only_reads_the_members_rooms_and_forgets_deleted_text(make_user, open_room,
                                                                      post) -> None:
    alice, bob = make_user(), make_user()
    room = open_room("R", alice)
    with unit_of_work():
        private = services.create_working_group(bob, "Private")
    post(bob, private, "confidential budget")
    mine = post(alice, room, "public budget")
    assert [m.id for m in services.search_messages(alice, "budget")] == [mine.id]
    with unit_of_work():
        services.delete_message(alice, mine)
    assert services.search_messages(alice, "budget") == []
    with unit_of_work():
        services.edit_message(bob, post(bob, private, "draft one"), "final text")
    assert len(services.search_messages(bob, "final")) == 1
    assert services.search_messages(bob, "draft") == []


def test_tokens_normalise_case_width_and_accents() -> None:
    assert search.tokens("ÉCOLE École ｅｃｏｌｅ") == ["ecole"]
    assert search.tokens("") == [] and search.tokens("!!! ...") == []
