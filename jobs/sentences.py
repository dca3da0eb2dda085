"""A sentence the engine writes on a job: a code, its English template, the values that fill it.

Plain Python, no Django: provider adapters build these too. The catalogue of sentences is
`jobs/messages.py`; how one is kept on a job row is `jobs/stored_texts.py`; reading one in the
reader's language is `jobs/localized.py`, which hands `render`/`split` Django's gettext. Without a
`translate` function they give the English, which is what `str()` and the logs show.

A value filling a placeholder is text kept exactly as given, another `JobText` (rendered in turn,
in the same language), or a tuple of those (joined by "; "). Placeholders named in RAW hold the
provider's own words (or a cut of its answer): they are never translated, and a page shows them
apart, under "Details" (`split`), because a person cannot act on a raw JSON fragment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeAlias


def gettext_noop(message: str) -> str:
    """Marks a template for `makemessages` (its xgettext keyword) without importing Django."""
    return message


def _same(template: str) -> str:
    return template


Translate = Callable[[str], str]
Value: TypeAlias = "str | JobText | tuple[Value, ...]"

# Placeholders that hold the provider's own words: shown apart, never translated.
RAW = frozenset({"message", "detail", "snippet"})
SEPARATOR = "; "  # between the parts of a tuple value
# How a sentence ends in the reader's language, once the raw words after its colon are gone.
SENTENCE_END = gettext_noop("%(sentence)s.")
_SENTENCE_ENDS = ".\u3002!\uff01?\uff1f)\uff09"  # and their full-width forms
_RAW_MARK = "\x00raw\x00"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Message:
    """One sentence of the catalogue: its stable code (what rows, the API and metrics keep) and
    its English template with %(name)s placeholders."""

    code: str
    template: str

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(_PLACEHOLDER.findall(self.template))


# Text the studio did not write as one of its sentences (an old row, a provider's bare words):
# shown as it is, in every language.
VERBATIM = Message("", "%(text)s")


@dataclass(frozen=True)
class JobText:
    """A sentence with its values, as the engine passes it around and stores it."""

    message: Message
    params: Mapping[str, Value]

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def is_verbatim(self) -> bool:
        return self.message.code == VERBATIM.code

    def __str__(self) -> str:
        return render(self)


def job_text(message: Message, /, **values: object) -> JobText:
    """`message` with its placeholders' values: a JobText stays one, a list or tuple becomes a
    tuple of values, anything else its text. Every placeholder must be given; values the
    template does not use are dropped (so one set of values may fill several templates)."""
    missing = message.placeholders - set(values)
    if missing:
        raise ValueError(f"{message.code}: no value for {', '.join(sorted(missing))}")
    params = {name: _value(values[name]) for name in sorted(message.placeholders)}
    return JobText(message, MappingProxyType(params))


def verbatim(text: str) -> JobText:
    """Text shown exactly as it is (see VERBATIM)."""
    return JobText(VERBATIM, MappingProxyType({"text": str(text)}))


def as_job_text(text: JobText | str) -> JobText:
    """`text` as a sentence: a str (words nobody coded) is kept verbatim."""
    return text if isinstance(text, JobText) else verbatim(text)


def _value(value: object) -> Value:
    if isinstance(value, JobText):
        return value
    if isinstance(value, list | tuple):
        return tuple(_value(part) for part in value)
    return str(value)


def render(text: JobText, translate: Translate = _same) -> str:
    """The whole sentence: its template in `translate`'s language, the provider's words in it as
    they were said. Without `translate`: the English."""
    if text.is_verbatim:
        return str(text.params.get("text", ""))
    values = {name: _render_value(value, translate) for name, value in text.params.items()}
    return translate(text.message.template) % values


def _render_value(value: Value, translate: Translate) -> str:
    if isinstance(value, JobText):
        return render(value, translate)
    if isinstance(value, tuple):
        return SEPARATOR.join(_render_value(part, translate) for part in value)
    return value


@dataclass(frozen=True)
class JobTextParts:
    """A sentence split for a person: ours, and the provider's raw words apart."""

    sentence: str
    details: tuple[str, ...] = ()


def split(text: JobText, translate: Translate = _same) -> JobTextParts:
    """The sentence with the provider's own words (RAW placeholders) taken out, into `details`.

    It stays readable ("The provider answered with something that is not JSON."); text the
    studio did not write is kept whole as the sentence: we cannot tell which part is whose.
    """
    if text.is_verbatim:
        return JobTextParts(render(text))
    details: list[str] = []
    sentence = _split_into(text, details, translate).rstrip()
    if sentence and sentence[-1] not in _SENTENCE_ENDS:
        sentence = translate(SENTENCE_END) % {"sentence": sentence}
    return JobTextParts(sentence, tuple(details))


def _split_into(text: JobText, details: list[str], translate: Translate) -> str:
    if text.is_verbatim:
        return render(text)
    values = {
        name: _split_value(name in RAW, value, details, translate)
        for name, value in text.params.items()
    }
    sentence = translate(text.message.template) % values
    # Where the raw words stood, drop the marker with the colon or space that led to it.
    return re.sub(r"[\s:：]*" + re.escape(_RAW_MARK), "", sentence)


def _split_value(raw: bool, value: Value, details: list[str], translate: Translate) -> str:
    if isinstance(value, JobText) and not value.is_verbatim:
        return _split_into(value, details, translate)
    if isinstance(value, tuple):
        kept = [_split_value(raw, part, details, translate) for part in value]
        kept = [part for part in kept if part != _RAW_MARK]
        return SEPARATOR.join(kept) if kept else _RAW_MARK
    words = render(value) if isinstance(value, JobText) else value
    if not raw:
        return words
    if words.strip():
        details.append(words)  # the provider's words whole, "; " and all
    return _RAW_MARK


def codes_in(text: JobText) -> Iterator[str]:
    """The code of `text` and of every sentence inside it, outermost first."""
    if not text.is_verbatim:
        yield text.code
    for value in text.params.values():
        yield from _codes_in_value(value)


def _codes_in_value(value: Value) -> Iterator[str]:
    if isinstance(value, JobText):
        yield from codes_in(value)
    elif isinstance(value, tuple):
        for part in value:
            yield from _codes_in_value(part)
