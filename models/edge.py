"""The base of every request body the API accepts.

Bodies reuse history payload models (a quote's sums insured, a tender's
policyholder) that ignore unknown fields, because workflow histories written by
older versions must still replay. At the edge that leniency would drop a typo
such as `contact_mail` silently, so `EdgeBody` checks the raw JSON before the
model sees it:

* every object, at any depth, may only carry the properties the body's JSON
  schema declares (`extra_forbidden`), without changing the nested models;
* no string or key may hold a C0 control character other than tab, newline and
  carriage return (`control_character`): PostgreSQL text cannot store NUL, and
  one accepted NUL would stall the read model of the tender for good.

Both are ordinary validation errors located at the offending field, reported
together with the model's own errors.
"""

from __future__ import annotations

import re
from functools import cache
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
_Schema = dict[str, Any]


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


def _resolve(schema: _Schema, defs: _Schema) -> _Schema:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _fits(value: Any, schema: _Schema) -> bool:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return kind is not None or not isinstance(value, dict | list)


def unknown_fields(
    value: Any, schema: _Schema, defs: _Schema, loc: _Loc = ()
) -> list[InitErrorDetails]:
    """Keys of raw JSON that the schema does not declare, at any depth."""
    schema = _resolve(schema, defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [_resolve(b, defs) for b in schema[key]]
            fitting = [b for b in branches if _fits(value, b)]
            found = [unknown_fields(value, b, defs, loc) for b in fitting]
            return min(found, key=len) if found else []
    errors: list[InitErrorDetails] = []
    for part in schema.get("allOf", ()):
        errors.extend(unknown_fields(value, part, defs, loc))
    if isinstance(value, dict):
        properties: _Schema = schema.get("properties", {})
        extra = schema.get("additionalProperties", "properties" not in schema)
        for name, item in value.items():
            where = (*loc, name)
            if name in properties:
                errors.extend(unknown_fields(item, properties[name], defs, where))
            elif isinstance(extra, dict):
                errors.extend(unknown_fields(item, extra, defs, where))
            elif extra is False:
                errors.append(
                    InitErrorDetails(type="extra_forbidden", loc=where, input=item)
                )
    elif isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        items = schema.get("items")
        for index, item in enumerate(value):
            part = prefix[index] if index < len(prefix) else items
            if isinstance(part, dict):
                errors.extend(unknown_fields(item, part, defs, (*loc, index)))
    return errors


@cache
def _schema_of(model: type[BaseModel]) -> tuple[_Schema, _Schema]:
    schema = model.model_json_schema(mode="validation")
    return schema, schema.get("$defs", {})


class EdgeBody(BaseModel):
    """A request body: strict about unknown fields and control characters at
    every depth, whatever the nested models allow."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _check_raw_input(
        cls, data: Any, handler: ModelWrapValidatorHandler[Any]
    ) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        schema, defs = _schema_of(cls)
        found = control_characters(data) + unknown_fields(data, schema, defs)
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
