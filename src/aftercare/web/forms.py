"""How every form field is laid out: Django's own template, except for checkboxes."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting

__all__ = ["FormRenderer"]


class FormRenderer(TemplatesSetting):
    field_template_name = "aftercare/forms/field.html"
