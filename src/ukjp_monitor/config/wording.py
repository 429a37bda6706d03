"""Pydantic's validation errors as the plain sentences the command line prints.

One sentence per mistake, naming the key and what was given; an unknown key
that looks like a typo of a known one says which ("did you mean 'target'?")
and is not reported again as that key missing.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

_PHRASES = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list such as [a, b]",
    "tuple_type": "must be a list such as [a, b]",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
}


#: An unknown key, as a model and as a dataclass report it.
_UNKNOWN = {"extra_forbidden", "unexpected_keyword_argument"}


def describe_errors(errors: Sequence[Mapping[str, Any]], model: Any) -> list[tuple[tuple, str]]:
    """(location, message) for each error validating a model or pydantic
    dataclass, typos folded into one."""
    guessed = set()
    described = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] in _UNKNOWN:
            message, guess = unknown_key(loc[-1], _keys(_model_at(model, loc[:-1])))
            guessed.add((*loc[:-1], guess))
            described.append((loc, message))
        elif error["type"] != "missing":
            described.append((loc, _describe(error, loc, model)))
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc not in guessed:
            described.append((loc[:-1], f"{loc[-1]!r} is required"))
    return described


def _describe(error: Mapping[str, Any], loc: tuple, model: Any) -> str:
    where = ".".join(str(part) for part in loc if isinstance(part, str))
    kind, given = error["type"], shown(error.get("input"))
    if kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
    elif kind in {"model_type", "dataclass_type", "dict_type", "model_attributes_type"}:
        keys = ", ".join(_keys(_model_at(model, loc)))
        message = f"must be a mapping with the keys {keys}, not {given}"
    else:
        phrase = _PHRASES.get(kind) or error["msg"][0].lower() + error["msg"][1:]
        message = f"{phrase}, not {given}"
    return f"{where}: {message}" if where else message


def unknown_key(
    key: Any, accepted: tuple[str, ...] | list[str], *, noun: str = "key"
) -> tuple[str, str | None]:
    """The message for an unknown key (or, with ``noun``, column), and the
    accepted one it is a typo of, if any."""
    close = difflib.get_close_matches(str(key), accepted, n=1, cutoff=0.75)
    if close:
        return f"unknown {noun} {key!r}; did you mean {close[0]!r}?", close[0]
    return f"unknown {noun} {key!r}; accepted {noun}s: {', '.join(accepted)}", None


def _keys(model: Any) -> list[str]:
    """The keys a model, a pydantic dataclass or an ``Annotated`` plain
    dataclass (``monitorfile.RecipientSpec``) takes, as the file spells them."""
    if get_origin(model) is Annotated:
        return [f.name for f in dataclasses.fields(get_args(model)[0])]
    return [f.alias or name for name, f in _fields(model).items() if f.init is not False]


def _model_at(model: Any, loc: tuple) -> Any:
    for part in loc:
        info = _fields(model).get(part) if isinstance(part, str) else None
        annotation = getattr(info, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return model


def _fields(model: Any) -> dict[str, FieldInfo]:
    # Models and pydantic dataclasses both keep their fields here.
    return getattr(model, "__pydantic_fields__", {})


def written(value: Any) -> str:
    """A value given, as a message names it: a list or a mapping by its kind,
    never written out (an alias can make one stand for millions of items);
    anything else as written."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def shown(value: Any) -> str:
    """``written``, cut short."""
    text = written(value)
    return text if len(text) <= 60 else text[:57] + "..."
