"""What each API operation says of itself (issue 26): its summary, the schema of the body it reads, the query it
reads, what it answers and which problems. ``documented`` leaves it on the view, and ``openapi.build_spec`` walks
the URL map and writes the document from these and the routes' converters — so a route cannot be left out, and the
route that takes the lifecycle's steps is written once per step object, with the step's own schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from marshmallow import Schema

F = TypeVar("F", bound=Callable[..., Any])

Security = Literal["bearer", "basic", ""]
OTP_HEADER = "X-OTP"  # the one-time code of a caller whose second factor is on (issue 30)


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[Schema] | None = None  # the JSON body it loads
    form: dict[str, Any] | None = None  # a multipart body, described as OpenAPI says it
    query: type[Schema] | None = None  # the query string it loads
    more_query: tuple[dict[str, Any], ...] = ()  # query parameters it reads beside that schema
    status: int = 200
    # None: no content; a media type ("application/pdf"): a file; else the JSON it answers
    answer: type[Schema] | dict[str, Any] | str | None = None
    problems: tuple[int, ...] = ()  # besides 401 for a secured operation
    security: Security = "bearer"
    idempotency: Literal["required", "optional", ""] = ""
    steps: bool = False  # the route of every lifecycle step: one operation per step object
    second_factor: bool = False  # reads the caller's one-time code from ``X-OTP`` when their second factor is on


def documented(summary: str, **details: Any) -> Callable[[F], F]:
    """Leave the operation on the view (put it directly under the route's decorator)."""
    operation = Operation(summary, **details)

    def mark(view: F) -> F:
        view.operation = operation  # type: ignore[attr-defined]
        return view

    return mark


def items_of(item: type[Schema] | str, **more: Any) -> dict[str, Any]:
    """An answer of the shape ``{"items": [...], ...more}``."""
    return {"type": "object", "properties": {"items": {"type": "array", "items": item}} | more}
