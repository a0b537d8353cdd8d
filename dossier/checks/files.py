"""Files a campaign keys by nominee id (achievements/<id>.md, attachments/{id}-….pdf) that the
id does not find: a file named after the unit ("Sở Tư pháp.md"), with another case, spacing or
extension ("tt01.MD", "TT01.txt"), is never read, so it is named here with the file it should
be, instead of being ignored without a word."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dossier.models import Campaign, Finding, Nominee

NARRATIVES = "achievements"
ATTACHMENTS = "attachments"
SUMMARY_SUFFIX = ".tom-tat"  # achievements/<id>.tom-tat.md: the one-page summary's text
MIN_PARTIAL = 6  # letters a file name needs to be matched inside a nominee's name
NOT_TEXT = (".doc", ".docx", ".odt", ".pdf", ".rtf")  # a narrative must be plain text


def loose_key(text: str) -> str:
    """Letters and digits only, without case or diacritics: 'Sở Tư pháp' → 'sotuphap'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", plain.casefold())


@dataclass(frozen=True)
class _Expected:
    """A file name the campaign reads, and the nominee it belongs to."""

    name: str
    nominee: Nominee

    def keys(self, template: str) -> set[str]:
        """Loose keys of the name, and of the name with the unit's name in place of its id."""
        stem = template.rsplit(".", 1)[0]
        return {loose_key(stem.format(id=self.nominee.id)),
                loose_key(stem.format(id=self.nominee.name))}


def stray_file_findings(campaign: Campaign, nominees: list[Nominee]) -> list[Finding]:
    """A warning for each file under achievements/ or attachments/ that no nominee's id names
    but that looks like one nominee's (their id or name, another case, spacing, accents or
    extension), with the name it should have. Files that look like nobody's are left alone
    (another round's nominees, the office's own notes)."""
    findings = []
    templates = [("{id}.md", NARRATIVES), ("{id}" + SUMMARY_SUFFIX + ".md", NARRATIVES)]
    templates += [(spec.file.split("/", 1)[1], ATTACHMENTS)
                  for spec in campaign.documents if spec.kind == "attachment" and spec.file]
    for folder in (NARRATIVES, ATTACHMENTS):
        expected = [(t, _Expected(t.format(id=n.id), n)) for t, f in templates if f == folder
                    for n in nominees]
        names = {e.name for _, e in expected}
        for path in _files(campaign.root / folder):
            if path.name in names:
                continue
            match = _looks_like(path, expected)
            if match is not None:
                findings.append(_near_miss(folder, path, match))
    return findings


def _looks_like(path: Path, expected: list[tuple[str, _Expected]]) -> _Expected | None:
    """The expected file `path` was meant to be: same letters and digits as its name, or as
    its name with the nominee's name for the id; else the one nominee whose name contains the
    file's (a narrative named 'Sở Tư pháp.md' for 'Sở Tư pháp thành phố Cần Thơ')."""
    key = loose_key(path.name.rsplit(".", 1)[0])
    match = next((e for template, e in expected if key in e.keys(template)), None)
    if match is not None or len(key) < MIN_PARTIAL:
        return match
    partial = {e.nominee.id: e for template, e in expected if template == "{id}.md"
               and key in loose_key(e.nominee.name)}
    return next(iter(partial.values())) if len(partial) == 1 else None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _near_miss(folder: str, path: Path, match: _Expected) -> Finding:
    # "the file name is not the id, so it is not read; is it <name> (<id>)'s? rename it …"
    message = (f"{folder}/{path.name}: tên tệp không phải mã nên không được dùng (tệp đặt tên "
               f"theo mã); có phải của {match.nominee.name} ({match.nominee.id})? Đổi tên "
               f"thành {folder}/{match.name}")
    suffix = path.suffix.casefold()
    if folder == NARRATIVES and suffix in NOT_TEXT:
        message += " và lưu nội dung dạng văn bản thuần (UTF-8), không phải tệp Word/PDF"
    elif folder == ATTACHMENTS and suffix != ".pdf":
        message += " (tệp phải là PDF)"  # the file must be a PDF
    return Finding("FILE_NOT_USED", "warning", message, nominees=(match.nominee.id,),
                   file=str(path))
