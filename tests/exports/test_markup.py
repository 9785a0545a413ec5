"""A sentence of the phrase table as HTML: the table's words escaped, values in bold."""

from __future__ import annotations

from aftercare.exports.markup import marked, strong


def _sentence(name: str, day: str) -> str:
    return f"For {name} & you, on {day}; {day} again."


def test_it_sets_values_in_their_places_and_escapes_the_words_around_them() -> None:
    shown = marked(_sentence, name=strong("Zoë", isolated=True), day=strong("Sat 5 Dec"))
    assert shown == (
        "For <strong><bdi>Zoë</bdi></strong> &amp; you, on <strong>Sat 5 Dec</strong>; "
        "<strong>Sat 5 Dec</strong> again."
    )


def test_it_never_lets_a_value_become_markup() -> None:
    shown = marked(_sentence, name=strong("<b>Eve</b>"), day="<i>now</i>")
    assert shown == (
        "For <strong>&lt;b&gt;Eve&lt;/b&gt;</strong> &amp; you, on &lt;i&gt;now&lt;/i&gt;; "
        "&lt;i&gt;now&lt;/i&gt; again."
    )
