"""Every user-facing string has a Spanish translation, and the compiled catalogue is current."""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import masthead

PACKAGE = Path(masthead.__file__).parent
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None
    msgstrs: list[str]
    flags: set[str]
    msgctxt: str | None = None


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete ``#~`` entries left out)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = {f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")}
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        msgstrs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        entries.append(
            Entry(
                fields["msgid"], fields.get("msgid_plural"), msgstrs, flags, fields.get("msgctxt")
            )
        )
    return entries


def untranslated(entries: list[Entry]) -> list[str]:
    return [e.msgid for e in entries if "fuzzy" in e.flags or not all(e.msgstrs)]


ENTRIES = read_po(CATALOGUE / "django.po")


def test_catalogue_is_complete_and_has_no_fuzzy_entries():
    assert len(ENTRIES) > 100
    assert untranslated(ENTRIES) == []
    header = (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n")[0]
    assert "#, fuzzy" not in header
    assert '"Language: es\\n"' in header


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.msgid[:40])
def test_translation_keeps_the_placeholders(entry):
    for msgstr in entry.msgstrs:
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid))


def test_compiled_catalogue_matches_the_po_file():
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gnu_gettext.GNUTranslations(mo)
    for entry in ENTRIES:
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstrs[0]
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstrs[-1]
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstrs[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstrs[0], entry.msgid


def test_django_serves_the_spanish_catalogue():
    with translation.override("es"):
        assert translation.gettext("Latest news") == "Últimas noticias"
        assert translation.gettext("Related posts") == "Artículos relacionados"
        assert translation.pgettext("joining the last two names of a list", "and") == "y"
        assert translation.ngettext("%(minutes)s minute read", "%(minutes)s minute read", 7) == (
            "%(minutes)s minutos de lectura"
        )


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path, monkeypatch):
    """makemessages over a copy of the package finds nothing new to translate.

    Failing? Run the command in the theme report (makemessages, translate, compilemessages).
    """
    copy = tmp_path / "masthead"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("migrations", "__pycache__", "static", "demo")
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["es"], verbosity=0, no_obsolete=True)
    entries = read_po(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert len(entries) >= len(ENTRIES) - 5  # the extraction really ran over the code
    assert untranslated(entries) == []
