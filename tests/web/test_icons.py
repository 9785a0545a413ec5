"""``{% icon %}``: the vendored Lucide icons placed inline, hidden from screen readers."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from aftercare.web.clinic.templatetags.icons import ICONS


def render(source: str) -> str:
    return Template("{% load icons %}" + source).render(Context())


def test_an_icon_is_inline_hidden_and_drawn_in_the_text_colour() -> None:
    svg = render('{% icon "phone" %}')
    assert svg.startswith('<svg aria-hidden="true" focusable="false" class="lucide lucide-phone"')
    assert 'stroke="currentColor"' in svg
    assert "<!--" not in svg
    assert svg.endswith("</svg>")


@pytest.mark.parametrize("name", ["no-such-icon", "../LICENSE", "Phone"])
def test_an_unknown_icon_is_a_template_error(name: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="no icon called"):
        render(f'{{% icon "{name}" %}}')


def test_every_vendored_icon_travels_with_its_licence() -> None:
    assert "ISC License" in (ICONS / "LICENSE").read_text()
    for path in ICONS.glob("*.svg"):
        assert path.read_text().startswith("<!-- @license lucide-static"), path.name
