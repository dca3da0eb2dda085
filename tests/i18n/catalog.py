"""Reading the studio's gettext catalogs (.po) for the i18n tests: just what they need."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOG_LANGUAGE = "zh_Hans"
DOMAINS = ("django", "djangojs")


def catalog_path(domain: str, root: Path = LOCALE_DIR) -> Path:
    return root / CATALOG_LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    def describe(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") left out."""
    entries, entry, current = [], Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            entry.obsolete = True
        if not line:
            if current is not None:
                entries.append(entry)
            entry, current = Entry(), None
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            current = match.group(1)
            _append(entry, current, ast.literal_eval(match.group(2)), new=True)
        elif line.startswith('"') and current is not None:
            _append(entry, current, ast.literal_eval(line), new=False)
    return [e for e in entries if e.msgid or e.msgctxt is not None]


def _append(entry: Entry, keyword: str, text: str, *, new: bool) -> None:
    if keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgid_plural":
        entry.msgid_plural += text
    elif keyword == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif new:
        entry.msgstr.append(text)
    else:
        entry.msgstr[-1] += text
