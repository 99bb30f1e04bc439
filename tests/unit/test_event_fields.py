"""Every event field is described, and every value field has examples that are valid:
the AsyncAPI document (`/asyncapi` on each service) is made of these."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Annotated, Any, cast

import pytest
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from typing_extensions import TypeForm

from libs.contracts.events import ALL_PAYLOADS


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [t for t in _types_in(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def _models() -> list[type[BaseModel]]:
    """Every payload class and every model nested in one (Person, Trip, …), once each."""
    found: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = list(ALL_PAYLOADS)
    while todo:
        model = todo.pop(0)
        if model in found:
            continue
        found.append(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return found


FIELDS = [(model, name, field) for model in _models()
          for name, field in model.model_fields.items()]


def _id(value: Any) -> str:
    return value.__name__ if isinstance(value, type) else str(value) if isinstance(value, str) else ""


@pytest.mark.parametrize(("model", "name", "field"), FIELDS, ids=_id)
def test_the_field_is_described(model: type[BaseModel], name: str, field: FieldInfo) -> None:
    assert field.description, f"{model.__name__}.{name} has no description"
    if not _models_in(field.annotation):  # a value, not a nested object: show what it holds
        assert field.examples, f"{model.__name__}.{name} has no examples"


@pytest.mark.parametrize(("model", "name", "field"),
                         [f for f in FIELDS if f[2].examples], ids=_id)
def test_the_examples_are_valid_values(model: type[BaseModel], name: str,
                                       field: FieldInfo) -> None:
    # A type built at run time from the field: mypy cannot see it as a type form.
    adapter: TypeAdapter[Any] = TypeAdapter(cast(TypeForm[Any], Annotated[field.annotation, field]))
    for example in field.examples or []:
        adapter.validate_json(TypeAdapter(Any).dump_json(example))


def test_the_walk_sees_nested_models_and_every_payload() -> None:
    names = {model.__name__ for model in _models()}
    assert {"Person", "Residence", "Place", "Trip", "Transport", "Health", "CrewMember"} <= names
    assert {cls.__name__ for cls in ALL_PAYLOADS} <= names
