"""What changed between two dossiers, in the office's words: the summary a reviewer reads first.

Built from the two manifest.json files (who is in the dossier: id, name, group, award, amount;
the total; each document's title and page count) and from the documents' normalised text (the
formatting block, and which changed lines name a nominee or an amount), never from the line
diff alone. Each change says which documents it touches:

    Đổi tên cá nhân CN06: "Võ Thanh Sơn" → "Võ Thanh Sang" — trong 3 văn bản: Tờ trình
    (docx/01-to-trinh.docx), Biên bản họp xét (docx/02-bien-ban.docx), Báo cáo thành tích –
    Võ Thanh Sang (docx/08-bao-cao-CN06.docx)

Digital signatures (`dossier sign`) are told last, one change per signed PDF whose signatures
differ between A and B (`signed`, `resigned`, `unsigned`; `diff.SignatureDiff`); signing
never changes a document's text, so a dossier only re-signed lists these changes alone.

`summarise` gives the changes; `summary_lines` the Vietnamese text shown at the top of every
report; `Change.to_json` one entry of the JSON report's `changes` list.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.review.diff import HEADING_FORMAT, Comparison, DocumentDiff, SignatureDiff
from dossier.sign.folder import ROLE_NAMES
from dossier.vietnamese import format_amount

WORD = re.compile(r"\w+")
KIND_NAMES = {"ca_nhan": "cá nhân", "tap_the": "tập thể"}  # individual, collective
# The order changes are listed in: who, money, documents, layout, the rest.
ORDER = ("nominee_renamed", "nominee_added", "nominee_removed", "nominee_moved",
         "nominee_reordered", "amount_changed", "total_changed", "document_added",
         "document_removed", "document_moved", "layout_changed", "pages_changed",
         "content_changed", "signed", "resigned", "unsigned")
SIGNATURE_TYPES = frozenset({"signed", "resigned", "unsigned"})
BUNDLE_TITLE = "Tệp hồ sơ gộp"  # the bundle: the whole dossier in one PDF


@dataclass(frozen=True)
class Change:
    type: str  # one of ORDER
    message: str  # the sentence, in Vietnamese, without the documents
    documents: tuple[str, ...] = ()  # paths (relative to the output folder, B's if it has one)
    titles: tuple[str, ...] = field(default=(), compare=False)  # the same documents, as shown
    nominee_id: str | None = None
    name: str | None = None  # the nominee's name (in B if it is there)
    nominee_kind: str | None = field(default=None, compare=False)  # "ca_nhan" or "tap_the"
    prop: str | None = None  # "name", "group", "award", "amount", "lề trái", "số trang" …
    old: Any = None
    new: Any = None

    @property
    def sentence(self) -> str:
        if not self.titles:
            return self.message
        # "— in N documents: …"
        return f"{self.message} — trong {len(self.titles)} văn bản: {', '.join(self.titles)}"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "nominee_id": self.nominee_id, "name": self.name,
                "property": self.prop, "old": self.old, "new": self.new,
                "documents": list(self.documents), "message": self.sentence}


@dataclass(frozen=True)
class DocumentInfo:
    """A document of the comparison, with what the summary needs to know about it."""
    diff: DocumentDiff
    path: str  # shown path: relative to B's folder (A's when only A has it)
    title: str
    entry_a: dict[str, Any]
    entry_b: dict[str, Any]
    changed_text: str  # the removed and added lines, casefolded, one per line
    changed_count: int  # how many lines were removed or added

    @property
    def shown(self) -> str:
        return f"{self.title} ({self.path})" if self.title != self.path else self.path


class _Mentions:
    """Which changed documents have a text (a name, a figure) in one of their changed lines.
    An index of the lines' words narrows each look-up to the lines holding all the text's
    words, so thousands of renamed nominees over thousands of documents stay fast."""

    def __init__(self, docs: list[DocumentInfo]) -> None:
        self.docs = [doc for doc in docs if doc.diff.status != "same"]
        self.lines: list[tuple[int, str]] = []  # (document index, changed line casefolded)
        self.words: dict[str, set[int]] = defaultdict(set)  # word → line numbers
        self.own: dict[str, set[int]] = defaultdict(set)  # nominee id → its own documents
        for index, doc in enumerate(self.docs):
            for line in doc.changed_text.split("\n") if doc.changed_text else ():
                for word in set(WORD.findall(line)):
                    self.words[word].add(len(self.lines))
                self.lines.append((index, line))
            if doc.diff.nominee_id:
                self.own[doc.diff.nominee_id].add(index)

    def naming(self, *texts: str) -> set[int]:
        found: set[int] = set()
        for text in texts:
            needle = unicodedata.normalize("NFC", text).casefold()
            postings = sorted((self.words.get(word, set()) for word in set(WORD.findall(needle))),
                              key=len)
            if postings:
                candidates = postings[0].intersection(*postings[1:])
                found |= {self.lines[number][0] for number in candidates
                          if needle in self.lines[number][1]}
        return found

    def documents(self, indices: set[int]) -> list[DocumentInfo]:
        return [self.docs[index] for index in sorted(indices)]

    def of_nominee(self, nominee_id: str, *names: str) -> list[DocumentInfo]:
        """Documents a nominee's change shows in: its own, and those whose changed lines name
        it."""
        return self.documents(self.own.get(nominee_id, set()) | self.naming(*names))


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}  # compare_folders has already read it; a vanished file loses the summary only
    return data if isinstance(data, dict) else {}


def _entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    documents = manifest.get("documents")
    if not isinstance(documents, list):
        return {}
    return {d["docx"]: d for d in documents
            if isinstance(d, dict) and isinstance(d.get("docx"), str)}


def nominees(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """id → {name, kind, group, award, amount} of the nominees in a dossier. Manifests written
    before the `nominees` list know only the names, from the titles of per-nominee documents."""
    listed = manifest.get("nominees")
    if isinstance(listed, list):
        return {n["id"]: n for n in listed if isinstance(n, dict) and isinstance(n.get("id"), str)}
    found: dict[str, dict[str, Any]] = {}
    for entry in _entries(manifest).values():
        nominee, title = entry.get("nominee_id"), entry.get("title")
        if isinstance(nominee, str) and isinstance(title, str) and " – " in title:
            found.setdefault(nominee, {"id": nominee, "name": title.rsplit(" – ", 1)[1]})
    return found


def _relative(path: Path | None, root: Path, mode: str) -> str | None:
    if path is None:
        return None
    if mode == "file":
        return path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def describe(comparison: Comparison, manifest_a: dict | None = None,
             manifest_b: dict | None = None) -> list[DocumentInfo]:
    """Each document of the comparison with its shown path, its title and its changed lines."""
    if manifest_a is None or manifest_b is None:
        manifest_a, manifest_b = read_manifests(comparison)
    entries_a, entries_b = _entries(manifest_a), _entries(manifest_b)
    docs = []
    for diff in comparison.documents:
        rel_a = _relative(diff.a, comparison.a, comparison.mode)
        rel_b = _relative(diff.b, comparison.b, comparison.mode)
        entry_a, entry_b = entries_a.get(rel_a or "", {}), entries_b.get(rel_b or "", {})
        title = entry_b.get("title") or entry_a.get("title") or rel_b or rel_a or ""
        lines = [text for hunk in diff.hunks for op, text in hunk.lines if op != " "]
        docs.append(DocumentInfo(diff, rel_b or rel_a or "", str(title), entry_a, entry_b,
                                 "\n".join(lines).casefold(), len(lines)))
    return docs


def read_manifests(comparison: Comparison) -> tuple[dict, dict]:
    """The two manifest.json files ({} each when comparing two .docx files)."""
    if comparison.mode != "folder":
        return {}, {}
    return _read_manifest(comparison.a), _read_manifest(comparison.b)


def summarise(comparison: Comparison) -> list[Change]:
    """Every change a reviewer should know of, in ORDER, each with the documents it touches."""
    return summarise_manifests(comparison, *read_manifests(comparison))


def summarise_manifests(comparison: Comparison, manifest_a: dict[str, Any],
                        manifest_b: dict[str, Any]) -> list[Change]:
    """`summarise`, with the two manifests already read."""
    docs = describe(comparison, manifest_a, manifest_b)
    old, new = nominees(manifest_a), nominees(manifest_b)
    mentions = _Mentions(docs)
    changes = (_nominee_changes(mentions, old, new) + _order_changes(mentions, old, new)
               + _total_change(mentions, manifest_a, manifest_b) + _document_changes(docs)
               + _layout_changes(docs) + _page_changes(docs))
    changes += _other_changes(docs, changes)
    changes += _signature_changes(comparison.signatures, manifest_b)
    rank = {kind: index for index, kind in enumerate(ORDER)}
    return sorted(changes, key=lambda change: rank[change.type])


def _touched(docs: Iterable[DocumentInfo]) -> dict[str, Any]:
    chosen = list(docs)
    return {"documents": tuple(d.path for d in chosen), "titles": tuple(d.shown for d in chosen)}


def _who(nominee: dict[str, Any]) -> str:
    kind = KIND_NAMES.get(str(nominee.get("kind")), "")
    return f"{kind} {nominee['id']}".strip()


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _money(amount: Any) -> str:
    return f"{format_amount(amount)} đồng" if isinstance(amount, int) else "không có"  # none


def _nominee_changes(docs: _Mentions, old: dict[str, dict],
                     new: dict[str, dict]) -> list[Change]:
    changes = []
    for nominee_id, after in new.items():
        name = str(after.get("name", ""))
        before = old.get(nominee_id)
        if before is None:
            details = ", ".join(str(after[k]) for k in ("award", "group") if after.get(k))
            money = f", {_money(after['amount'])}" if isinstance(after.get("amount"), int) else ""
            extra = f" ({details}{money})" if details or money else ""
            changes.append(Change(
                "nominee_added", f'Thêm {_who(after)} "{name}"{extra}',  # added
                **_touched(docs.of_nominee(nominee_id, name)), nominee_id=nominee_id,
                name=name, nominee_kind=after.get("kind")))
            continue
        old_name = str(before.get("name", ""))
        if old_name != name:
            changes.append(Change(
                "nominee_renamed", f'Đổi tên {_who(after)}: "{old_name}" → "{name}"',  # renamed
                **_touched(docs.of_nominee(nominee_id, old_name, name)),
                nominee_id=nominee_id, name=name, prop="name", old=old_name, new=name,
                nominee_kind=after.get("kind")))
        for key, label in (("group", "chuyển nhóm"), ("award", "đổi hình thức khen thưởng")):
            # moved to another group / another award
            if before.get(key) and after.get(key) and before[key] != after[key]:
                changes.append(Change(
                    "nominee_moved",
                    f'{_upper_first(_who(after))} "{name}" {label}: "{before[key]}" → '
                    f'"{after[key]}"',
                    **_touched(docs.of_nominee(nominee_id, old_name, name)),
                    nominee_id=nominee_id, name=name, prop=key, old=before[key],
                    new=after[key]))
        if "amount" in before and "amount" in after and before["amount"] != after["amount"]:
            figures = [format_amount(a) for a in (before["amount"], after["amount"])
                       if isinstance(a, int)]
            touched = docs.documents(docs.naming(*figures) & (
                docs.own.get(nominee_id, set()) | docs.naming(old_name, name)))
            changes.append(Change(
                "amount_changed",  # prize money of …
                f'Số tiền thưởng của {_who(after)} "{name}": {_money(before["amount"])} → '
                f'{_money(after["amount"])}',
                **_touched(touched), nominee_id=nominee_id, name=name, prop="amount",
                old=before["amount"], new=after["amount"]))
    for nominee_id, before in old.items():
        if nominee_id not in new:
            name = str(before.get("name", ""))
            changes.append(Change(
                "nominee_removed", f'Bỏ {_who(before)} "{name}"',  # removed
                **_touched(docs.of_nominee(nominee_id, name)), nominee_id=nominee_id,
                name=name, nominee_kind=before.get("kind")))
    return changes


def _places(listed: dict[str, dict]) -> dict[tuple[str, str], list[str]]:
    """Ids in their order, per (group, award): the lists a reader sees."""
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    for nominee_id, nominee in listed.items():
        places[(str(nominee.get("group", "")), str(nominee.get("award", "")))].append(nominee_id)
    return places


def _order_changes(docs: _Mentions, old: dict[str, dict],
                   new: dict[str, dict]) -> list[Change]:
    """Nominees that moved up or down their list: those outside the longest run of nominees
    that kept their order (so one nominee moving up does not report everyone it passed)."""
    before, after = _places(old), _places(new)
    changes = []
    for key, ids in after.items():
        previous = before.get(key, [])
        was_at = {nominee_id: place for place, nominee_id in enumerate(previous, start=1)}
        now_at = {nominee_id: place for place, nominee_id in enumerate(ids, start=1)}
        kept_a = [i for i in previous if i in now_at]
        kept_b = [i for i in ids if i in was_at]
        matcher = difflib.SequenceMatcher(None, kept_a, kept_b, autojunk=False)
        for tag, _, _, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for nominee_id in kept_b[j1:j2]:
                nominee, name = new[nominee_id], str(new[nominee_id].get("name", ""))
                was, now = was_at[nominee_id], now_at[nominee_id]
                old_name = str(old[nominee_id].get("name", ""))
                changes.append(Change(
                    "nominee_reordered",  # "moved in the list: place N → M"
                    f'{_upper_first(_who(nominee))} "{name}" đổi thứ tự trong danh sách: thứ '
                    f"{was} → thứ {now}",
                    **_touched(docs.of_nominee(nominee_id, old_name, name)),
                    nominee_id=nominee_id, name=name, prop="order", old=was, new=now,
                    nominee_kind=nominee.get("kind")))
    return changes


def _total_change(docs: _Mentions, manifest_a: dict, manifest_b: dict) -> list[Change]:
    old, new = manifest_a.get("total_prize"), manifest_b.get("total_prize")
    if not (isinstance(old, int) and isinstance(new, int)) or old == new:
        return []
    figures = (format_amount(old), format_amount(new))
    touched = docs.documents(docs.naming(*figures))
    return [Change("total_changed", f"Tổng tiền thưởng: {_money(old)} → {_money(new)}",  # total
                   **_touched(touched), prop="total_prize", old=old, new=new)]


def _document_changes(docs: list[DocumentInfo]) -> list[Change]:
    changes = []
    for doc in docs:
        status = doc.diff.status
        if status == "added":  # a new document
            changes.append(Change("document_added", f"Văn bản mới: {doc.shown}",
                                  documents=(doc.path,)))
        elif status == "removed":  # a document dropped
            changes.append(Change("document_removed", f"Văn bản bị bỏ: {doc.shown}",
                                  documents=(doc.path,)))
        elif doc.diff.moved:  # a document in another place of the dossier
            changes.append(Change("document_moved", f"Văn bản đổi vị trí trong hồ sơ: {doc.shown}",
                                  documents=(doc.path,)))
    return changes


def format_properties(lines: Iterable[str]) -> dict[str, str]:
    """The "property: value" lines of the formatting block (margins, paper, fonts)."""
    found: dict[str, str] = {}
    inside = False
    for line in lines:
        if line.startswith("# "):
            if inside:
                break
            inside = line == HEADING_FORMAT
        elif inside and ": " in line:
            name, value = line.split(": ", 1)
            found[name] = value
    return found


def _layout_changes(docs: list[DocumentInfo]) -> list[Change]:
    grouped: dict[tuple[str, str, str], list[DocumentInfo]] = defaultdict(list)
    for doc in docs:
        if doc.diff.status != "changed":
            continue
        old, new = format_properties(doc.diff.a_lines), format_properties(doc.diff.b_lines)
        for name in dict.fromkeys([*old, *new]):
            before, after = old.get(name, "không có"), new.get(name, "không có")  # none
            if before != after:
                grouped[(name, before, after)].append(doc)
    return [Change("layout_changed", f"{_upper_first(name)}: {before} → {after}",
                   **_touched(touched), prop=name, old=before, new=after)
            for (name, before, after), touched in grouped.items()]


def _page_changes(docs: list[DocumentInfo]) -> list[Change]:
    changes = []
    for doc in docs:
        old, new = doc.entry_a.get("pages"), doc.entry_b.get("pages")
        if isinstance(old, int) and isinstance(new, int) and old != new:
            changes.append(Change("pages_changed", f"Số trang: {old} → {new}",  # page count
                                  **_touched([doc]), prop="số trang", old=old, new=new))
    return changes


def _other_changes(docs: list[DocumentInfo], changes: list[Change]) -> list[Change]:
    """Changed documents that no change above explains."""
    explained = {path for change in changes for path in change.documents}
    found = []
    for doc in docs:
        if doc.diff.status == "changed" and doc.path not in explained:
            count = doc.changed_count
            found.append(Change("content_changed",
                                f"Nội dung khác thay đổi ({count} dòng)",  # other text changed
                                **_touched([doc])))
    return found


def _signed_by(signatures: tuple[tuple[str, str, str], ...]) -> str:
    """ "Lê Hoàng Phúc (người có thẩm quyền, 2024-12-20T09:15:30+07:00); …" """
    return "; ".join(f"{signer} ({ROLE_NAMES.get(role, role)}, {time})"
                     for role, signer, time in signatures)


def _signature_changes(signatures: tuple[SignatureDiff, ...],
                       manifest_b: dict[str, Any]) -> list[Change]:
    """One change per PDF whose digital signatures differ, naming the signed copy; `documents`
    is the document's .docx (the bundle's signed PDF), as for every other change."""
    titles = {path: str(entry.get("title") or path) for path, entry in _entries(manifest_b).items()}
    changes = []
    for sig in signatures:
        title = titles.get(sig.docx, sig.docx) if sig.docx else BUNDLE_TITLE
        shown = f"{title} ({sig.path})"
        if sig.status == "signed":  # signed in B only
            message = f"Được ký số: {shown} — {_signed_by(sig.new)}"
        elif sig.status == "unsigned":  # A's signatures are gone in B
            message = f"Không còn chữ ký số: {shown} (trong A: {_signed_by(sig.old)})"
        else:  # signed again: other signatures, or another signed file
            message = f"Ký số lại: {shown} — {_signed_by(sig.old)} → {_signed_by(sig.new)}"
        changes.append(Change(sig.status, message, documents=(sig.docx or sig.path,),
                              prop="chữ ký số", old=sig.old, new=sig.new))
    return changes


# How the headline counts each type of change: (phrase, whether it names the nominees' kinds)
HEADLINE = {
    "nominee_renamed": ("đổi tên {}", True),  # renamed
    "nominee_added": ("thêm {}", True),  # added
    "nominee_removed": ("bỏ {}", True),  # removed
    "nominee_moved": ("{} chuyển nhóm hoặc đổi hình thức khen thưởng", False),  # moved
    "nominee_reordered": ("{} đổi thứ tự trong danh sách", False),  # order in the list
    "amount_changed": ("{} số tiền thưởng thay đổi", False),  # amounts changed
    "total_changed": ("tổng tiền thưởng thay đổi", False),  # the total changed
    "document_added": ("{} văn bản mới", False),  # new documents
    "document_removed": ("{} văn bản bị bỏ", False),  # dropped documents
    "document_moved": ("{} văn bản đổi vị trí", False),  # documents moved
    "layout_changed": ("{} thay đổi định dạng", False),  # layout changes
    "pages_changed": ("{} văn bản đổi số trang", False),  # page counts changed
    "content_changed": ("{} văn bản thay đổi nội dung khác", False),  # other text changed
    "signed": ("{} tệp được ký số", False),  # files signed
    "resigned": ("{} tệp được ký số lại", False),  # files signed again
    "unsigned": ("{} tệp không còn chữ ký số", False),  # files that lost their signatures
}


def headline(changes: list[Change]) -> str:
    """One sentence: "Tóm tắt: đổi tên 1 cá nhân; 3 văn bản bị ảnh hưởng"."""
    phrases = []
    for kind in ORDER:
        chosen = [c for c in changes if c.type == kind]
        if not chosen:
            continue
        phrase, by_kind = HEADLINE[kind]
        if by_kind:
            counts = Counter(KIND_NAMES.get(str(c.nominee_kind), "") for c in chosen)
            count = ", ".join(f"{n} {name}".strip() for name, n in sorted(counts.items()))
        else:
            count = str(len(chosen))
        phrases.append(phrase.format(count))
    documents = {path for change in changes for path in change.documents}
    if all(change.type in SIGNATURE_TYPES for change in changes):
        # "only the digital signatures changed; the documents' text is the same"
        phrases.append("chỉ chữ ký số thay đổi, nội dung văn bản giữ nguyên")
    # "Summary: …; N documents affected"
    return f"Tóm tắt: {'; '.join(phrases)} — {len(documents)} văn bản bị ảnh hưởng"


def summary_lines(changes: list[Change]) -> list[str]:
    """The summary as text: the headline, then one line per change ([] when nothing changed)."""
    if not changes:
        return []
    return [headline(changes), *(f"- {change.sentence}" for change in changes)]


def with_changes(report: dict[str, Any], changes: list[Change]) -> dict[str, Any]:
    """The JSON report with its `changes` list, placed right after `summary`."""
    result: dict[str, Any] = {}
    for key, value in report.items():
        result[key] = value
        if key == "summary":
            result["changes"] = [change.to_json() for change in changes]
    result.setdefault("changes", [change.to_json() for change in changes])
    return result
