"""The zh_Hans catalog is complete: every marked string is in it, translated, none fuzzy or
empty, and no template text escapes translation by not being marked at all.

Other branches add strings: when this fails after a merge, the message lists the msgids to
translate (run `makemessages -l zh_Hans --no-location`, translate them, `make install`).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from jobs.messages import MESSAGES
from jobs.sentences import SENTENCE_END
from tests.i18n.catalog import CATALOG_LANGUAGE, DOMAINS, LOCALE_DIR, catalog_path, read_po

BASE_DIR = Path(settings.BASE_DIR)
# What makemessages reads: the studio's code, templates and own scripts (not vendored ones).
SOURCES = ("manage.py", "studio", "jobs", "templates", "static/js")


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory) -> Path:
    """makemessages run on a copy of the sources, into an empty locale folder."""
    root = tmp_path_factory.mktemp("makemessages")
    for name in SOURCES:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    (root / "locale").mkdir()
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "--domain", domain,
             "--locale", CATALOG_LANGUAGE, "--no-location", "--ignore", "var/*"],
            cwd=root, check=True, capture_output=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings",
                 "STUDIO_VAR_DIR": str(root / "var")},
        )  # fmt: skip
    return root / "locale"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_is_in_the_committed_catalog(fresh_catalogs, domain):
    wanted = {entry.key: entry for entry in read_po(catalog_path(domain, fresh_catalogs))}
    committed = {e.key for e in read_po(catalog_path(domain)) if not e.obsolete}
    missing = [entry.describe() for key, entry in wanted.items() if key not in committed]
    assert not missing, (
        f"{len(missing)} msgid(s) are marked for translation but missing from "
        f"locale/{CATALOG_LANGUAGE}/LC_MESSAGES/{domain}.po; add and translate them:\n  "
        + "\n  ".join(missing)
    )


def test_every_engine_sentence_is_extracted_from_its_plain_python_module(fresh_catalogs):
    """jobs/messages.py marks its templates with a local gettext_noop (no Django there):
    makemessages must still find each one, with its placeholders flagged for checking."""
    extracted = {e.msgid: e for e in read_po(catalog_path("django", fresh_catalogs))}
    sentences = [message.template for message in MESSAGES.values()] + [SENTENCE_END]
    missing = [template for template in sentences if template not in extracted]
    assert not missing, "not extracted:\n  " + "\n  ".join(missing)
    unflagged = [t for t in sentences if "%(" in t and "python-format" not in extracted[t].flags]
    assert not unflagged


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_none_is_fuzzy(domain):
    entries = [entry for entry in read_po(catalog_path(domain)) if not entry.obsolete]
    assert entries, f"the {domain} catalog is empty"
    untranslated = [e.describe() for e in entries if not e.msgstr or not all(e.msgstr)]
    fuzzy = [e.describe() for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "Untranslated (empty) entries:\n  " + "\n  ".join(untranslated)
    assert not fuzzy, "Fuzzy entries (check and remove the flag):\n  " + "\n  ".join(fuzzy)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalog_is_built_and_has_no_empty_strings(domain):
    """`make install` (so `make run` and `make test`) compiles the .po files; .mo are not kept."""
    source = catalog_path(domain)
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: `make install` compiles the catalogs"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, f"{compiled} is older than its .po"
    with compiled.open("rb") as stream:
        catalog = gettext.GNUTranslations(stream)._catalog  # msgid -> msgstr, header under ""
    empty = [key for key, text in catalog.items() if key != "" and not text]
    assert len(catalog) > 1 and not empty
    tracked = subprocess.run(
        ["git", "ls-files", str(LOCALE_DIR)], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.split()
    assert not [path for path in tracked if path.endswith(".mo")], "compiled catalogs are built"


# --- template text that is not marked at all --------------------------------------------------

# Words that stay as they are in every language: formats, protocols, commands.
PROPER_WORDS = {"PNG", "JPEG", "WebP", "CSV", "HTTP", "zip"}
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
_UNREAD = re.compile(
    r"{#.*?#}"
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%\s*trans(?:late)?\s.*?%}",
    re.DOTALL,
)


class _ReadableText(HTMLParser):
    """The text a person reads in a template: element text and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        values = dict(attrs)
        self.texts += [values[name] or "" for name in READ_ATTRIBUTES if name in values]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.texts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def unmarked_words(template_source: str) -> list[str]:
    html = _TAG.sub(" ", _UNREAD.sub(" ", template_source))
    reader = _ReadableText()
    reader.feed(html)
    words = re.findall(r"[A-Za-z][A-Za-z']+", " ".join(reader.texts))
    return [word for word in words if word not in PROPER_WORDS]


def test_a_sentence_outside_the_translation_tags_is_found():
    assert unmarked_words('<p title="{% translate "Hi" %}">Hello <b>{{ name }}</b></p>') == [
        "Hello"
    ]
    assert unmarked_words('<img alt="Result {{ n }}">{% translate "Fine" %}') == ["Result"]
    assert unmarked_words("{% blocktranslate %}All {{ x }} good{% endblocktranslate %}") == []


def test_every_template_text_is_marked_for_translation():
    found = {}
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        words = unmarked_words(path.read_text(encoding="utf-8"))
        if words:
            found[str(path.relative_to(BASE_DIR))] = words
    assert not found, "Text not marked for translation ({% translate %}):\n" + "\n".join(
        f"  {path}: {' '.join(words)}" for path, words in found.items()
    )
