"""Request bodies: every body the API takes is a JSON object, and nothing else is read as one.

ninja reads any JSON for a body model, and its models read a value that is not an object
(``[]``, ``5``) as an object with no fields; a change whose fields are all optional would
then answer 200 having changed nothing. Such a body is refused as unreadable (400).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

__all__ = ["NotAnObjectError", "ObjectParser"]


class NotAnObjectError(ValueError):
    """The body is JSON, but not an object."""


class ObjectParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: object = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObjectError(type(data).__name__)
        return data
