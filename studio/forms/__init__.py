"""The studio's forms, and typed access to a form's own copy of its fields."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms

FieldT = TypeVar("FieldT", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """`form.fields[name]`, known to be a `kind`: a form's fields are typed as plain `Field`s, so
    setting choices, a queryset or a length on one needs its own class first."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{name} is a {type(field).__name__}, not a {kind.__name__}"
    return field


def choices_of(form: forms.BaseForm, name: str) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs as the field holds them: it normalises the choices it
    is given into a list (the stubs type the attribute as anything it accepts)."""
    choices = field_of(form, name, forms.ChoiceField).choices
    assert isinstance(choices, list), f"{name} has lazy choices"
    return choices
