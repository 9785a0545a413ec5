"""Which of the clinic's procedures a new screening or treatment is for.

A clinic with one enabled procedure is never asked; with more, the page offers a choice
(``?procedure=ID``, kept in the form it posts), microneedling first when the clinic
performs it. The questions and fields that follow come from the chosen protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from aftercare.web.clinic.models import Clinic
from aftercare.web.protocol import base_protocol, enabled_procedures, performed_procedure

__all__ = ["ProcedureChoice", "choose_procedure", "procedure_name"]


@dataclass(frozen=True, slots=True)
class ProcedureChoice:
    """The procedure chosen, and the clinic's procedures as (id, name) for the select."""

    chosen: str
    options: tuple[tuple[str, str], ...]

    @property
    def is_asked(self) -> bool:
        return len(self.options) > 1

    @property
    def name(self) -> str:
        return dict(self.options)[self.chosen]


def procedure_name(protocol_id: str) -> str:
    """The procedure's name as its protocol gives it ("Superficial chemical peel")."""
    return base_protocol(protocol_id).procedure


def choose_procedure(request: HttpRequest, clinic: Clinic) -> ProcedureChoice:
    """The procedure the request asks for (posted or in the address), else the default;
    a 400 naming the clinic's procedures for one it does not perform."""
    enabled = enabled_procedures(clinic)
    options = tuple((protocol_id, procedure_name(protocol_id)) for protocol_id in enabled)
    asked = request.POST.get("procedure") or request.GET.get("procedure") or ""
    try:
        return ProcedureChoice(performed_procedure(clinic, asked), options)
    except ValueError as error:
        raise BadRequest(str(error)) from None
