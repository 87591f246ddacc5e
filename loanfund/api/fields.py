"""marshmallow fields for the API: money travels as a string with two decimals, whole numbers stay numbers."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from loanfund.clock import DAY_OUT_OF_RANGE, EARLIEST_DAY, LATEST_DAY
from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.text import normalised, text_problem

REQUIRED: dict[str, Any] = {"required": "此项为必填项", "null": "此项不能为空"}


class MoneyField(fields.Field[Money]):
    """``"30000000.00"`` ⇄ ``Money``. Numbers (even integers) are refused: they invite float rounding."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", REQUIRED)
        kwargs.setdefault("metadata", {}).setdefault("example", "30000000.00")
        super().__init__(**kwargs)

    def _serialize(self, value: Money | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.plain()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Money:
        try:
            return Money.parse(value)
        except InvalidValue as exc:
            raise ValidationError(exc.message) from exc


class Day(fields.Date):
    """A date as ``YYYY-MM-DD`` in ASCII digits (the ISO parser would also read other scripts' digits). ``bounded``:
    also within the days anything is read at (``clock.EARLIEST_DAY``…``LATEST_DAY``) — for a value no rule of its own
    bounds, such as a list filter."""

    def __init__(self, bounded: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", REQUIRED | {"invalid": "日期格式应为 YYYY-MM-DD"})
        super().__init__(**kwargs)
        self.bounded = bounded

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if self.bounded and not (EARLIEST_DAY <= day <= LATEST_DAY):
            raise ValidationError(DAY_OUT_OF_RANGE)
        return day


class WholeNumber(fields.Integer):
    """An integer given as a JSON number: ``"2"``, ``2.0`` and ``true`` are refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", REQUIRED | {"invalid": "须为整数", "not_int": "须为整数"})
        super().__init__(strict=True, **kwargs)

    LIMIT = 2**31 - 1  # the database's integer columns

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        if abs(value) > self.LIMIT:
            raise ValidationError("数值超出允许范围")
        return super()._deserialize(value, attr, data, **kwargs)


class Text(fields.String):
    """Text as people type it (``domain.text``, as the forms): at most ``max_length`` characters, no control
    character, separator or direction override (a multi-line text — over 64 characters — keeps tab and line breaks),
    kept trimmed in Unicode normal form C."""

    def __init__(self, max_length: int = 2000, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", REQUIRED | {"invalid": "须为文本"})
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, multiline=self.max_length > 64)
        if problem is not None:
            raise ValidationError(problem)
        text = normalised(text)
        if len(text) > self.max_length:
            raise ValidationError(f"不能超过 {self.max_length} 个字符")
        return text
