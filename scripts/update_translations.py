"""Regenerate the zh-hans catalogue: collect msgids (makemessages), fill Chinese from every
`<app>/locale_zh.txt` (lines `English msgid<TAB>中文`), compile. Run from the repository root:

    .venv/bin/python scripts/update_translations.py

Needs GNU gettext (apt-get install gettext) and polib (pip install polib); neither is needed to run
the application, which uses the committed .mo file.
"""

import subprocess  # nosec B404: runs manage.py only, argument lists, no shell
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def load_pairs() -> dict[str, str]:
    """msgid (or `context|msgid`) -> translation. The apps' lists first, then
    locale/overrides_zh.txt, which settles a word two apps translated differently."""
    pairs = {}
    for path in [*sorted(ROOT.glob("*/locale_zh.txt")), ROOT / "locale" / "overrides_zh.txt"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                raise SystemExit(f"{path}:{number}: expected 'msgid<TAB>translation'")
            msgid, msgstr = line.split("\t", 1)
            pairs[msgid.replace("\\n", "\n")] = msgstr.strip().replace("\\n", "\n")
    return pairs


def main() -> None:
    ignore = ["--ignore=.venv", "--ignore=var", "--ignore=benchmarks", "--ignore=tests"]
    subprocess.run([*MANAGE, "makemessages", "-l", "zh_Hans", "--no-obsolete", *ignore], check=True)  # nosec B603: fixed argv
    pairs = load_pairs()
    catalogue = polib.pofile(str(PO))
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in catalogue:
        key = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
        if key in pairs:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: pairs[key]}
            else:
                entry.msgstr = pairs[key]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.translated():
            missing.append(entry.msgid)
    catalogue.save(str(PO))
    subprocess.run([*MANAGE, "compilemessages", "-l", "zh_Hans", *ignore], check=True, cwd=ROOT)  # nosec B603: fixed argv
    print(f"{len(catalogue) - len(missing)} of {len(catalogue)} messages translated.")
    for msgid in missing:
        print(f"  missing: {msgid!r}")


if __name__ == "__main__":
    main()
