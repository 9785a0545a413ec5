"""Search keys: a copy of a name, email or mobile kept in a form an index can answer.

Staff search names and emails by the start of what they type, whatever the case or the
accents ("zoe" finds "Zoë"), and mobiles by their last digits ("900555" finds
+447700900555). ``icontains`` answers that by reading every patient of the clinic; a key
column derived on every save (``pre_save`` runs for ``bulk_create`` too) and a prefix
lookup that an ordinary B-tree index serves answer it by reading only the matches.

A full name is two words on two columns, which no one index answers by prefix: "jane smi"
read through the given name's index reads every Jane. So the name is also kept whole, both
ways round ("jane smith", "smith jane"), where the words typed in order are one prefix.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler

__all__ = [
    "DigitsKeyField",
    "NameKeyField",
    "Prefix",
    "TextKeyField",
    "digits_key",
    "name_key",
    "text_key",
]

# Sorts after every character, so [text, text + TOP) holds exactly the strings starting with
# text, compared code point by code point (SQLite's BINARY collation; UTF-8 keeps the order).
TOP = "\U0010ffff"


def text_key(text: str) -> str:
    """``text`` case-folded, without accents or surrounding space."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """Each word of ``text`` as ``text_key`` makes it, one space between them."""
    return " ".join(key for word in text.split() if (key := text_key(word)))


def digits_key(text: str) -> str:
    """The digits of a phone number, last first, so its ending is a prefix."""
    return "".join(c for c in text if c.isdigit())[::-1]


class _KeyField(models.CharField[str, str]):
    """A key derived from the field ``source`` each time the row is written (from several
    fields, their values joined by a space, when ``source`` names several)."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for option in ("editable", "blank", "default"):
            kwargs.pop(option, None)
        return name, path, args, kwargs

    def derive(self, value: str) -> str:
        raise NotImplementedError

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = " ".join(str(getattr(model_instance, f) or "") for f in self.source.split())
        key = self.derive(value)[: self.max_length]
        setattr(model_instance, self.attname, key)
        return key


class TextKeyField(_KeyField):
    def derive(self, value: str) -> str:
        return text_key(value)


class DigitsKeyField(_KeyField):
    def derive(self, value: str) -> str:
        return digits_key(value)


class NameKeyField(_KeyField):
    """The words of its sources in order (``source="given_name family_name"``)."""

    def derive(self, value: str) -> str:
        return name_key(value)


@models.CharField.register_lookup
class Prefix(models.Lookup[str]):
    """``key__prefix="smi"``: the rows whose key starts with "smi", through an index.

    SQLite's LIKE ignores ASCII case and so cannot use a plain index; a range can.
    PostgreSQL's LIKE 'smi%' uses an index built with ``varchar_pattern_ops`` (see the
    Patient model), whatever the database's collation.
    """

    lookup_name = "prefix"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, params = self.process_lhs(compiler, connection)
        return f"({lhs} >= %s AND {lhs} < %s)", [*params, self.rhs, *params, self.rhs + TOP]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, params = self.process_lhs(compiler, connection)
        escaped = connection.ops.prep_for_like_query(self.rhs)
        return f"{lhs} LIKE %s", [*params, f"{escaped}%"]
