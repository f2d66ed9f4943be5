"""The API's JSON parser: DRF's, with limits on what a body may hold.

A body nested deeper than ``MAX_DEPTH`` is refused with 400 (Python's parser would otherwise
hit its recursion limit, a 500), and so is a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
that came without a Content-Length (the middleware refuses the others before reading them).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

# No request of the API nests deeper than a few levels; this leaves room and stops abuse.
MAX_DEPTH = 32


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, Mapping) else (
            item if isinstance(item, list) else None)
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("request body over DATA_UPLOAD_MAX_MEMORY_SIZE")
        try:
            text = codecs.decode(raw, encoding)
            strict = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=strict)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels"
                             ) from exc
        except ValueError as exc:  # UnicodeDecodeError too
            raise ParseError(f"JSON parse error - {exc}") from exc
        if depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
        return data
