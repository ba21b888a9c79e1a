"""The base of every request body the API accepts.

`EdgeBody` checks the raw JSON before the model sees it: no string or key may
hold a C0 control character other than tab, newline and carriage return
(`control_character`). PostgreSQL text cannot store NUL, and one accepted NUL
would stall the read model of the tender for good. The error is an ordinary
validation error located at the offending field, reported together with the
model's own errors.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_Loc = tuple[str | int, ...]


def _control_error(loc: _Loc) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(
            "control_character",
            "Text must not contain control characters other than tab and newline",
        ),
        loc=loc,
        input="",
    )


def control_characters(value: Any, loc: _Loc = ()) -> list[InitErrorDetails]:
    """Where a string or key of raw JSON holds a forbidden control character."""
    if isinstance(value, str):
        return [_control_error(loc)] if _CONTROL.search(value) else []
    errors: list[InitErrorDetails] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _CONTROL.search(key):
                errors.append(_control_error((*loc, key)))
            else:
                errors.extend(control_characters(item, (*loc, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.extend(control_characters(item, (*loc, index)))
    return errors


class EdgeBody(BaseModel):
    """A request body: no control characters at any depth, whatever the nested
    models allow."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _check_raw_input(
        cls, data: Any, handler: ModelWrapValidatorHandler[Any]
    ) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        found = control_characters(data)
        if not found:
            return handler(data)
        seen = {(str(e["type"]), tuple(e["loc"])) for e in found}
        try:
            handler(data)
        except ValidationError as error:
            for item in error.errors():
                if (item["type"], tuple(item["loc"])) not in seen:
                    found.append(
                        InitErrorDetails(
                            type=PydanticCustomError(item["type"], item["msg"]),
                            loc=tuple(item["loc"]),
                            input=item.get("input"),
                        )
                    )
        raise ValidationError.from_exception_data(cls.__name__, found)
