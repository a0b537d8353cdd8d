"""Break an agency name or an award title into lines as offices write them: between word
groups, never inside a name ("ỦY BAN NHÂN DÂN / THÀNH PHỐ CẦN THƠ", never "ỦY BAN NHÂN DÂN
THÀNH / PHỐ CẦN THƠ").

The word groups are data: a group starts at each phrase of `GROUP_STARTS` (an administrative
level such as "THÀNH PHỐ", "QUẬN", "PHƯỜNG" opens a group that runs to the end of the place
name after it; "ỦY BAN NHÂN DÂN", "CỦA", "VÀ" open a group too) and after each phrase of
`GROUP_ENDS`. A level word with no place name after it ("… ỦY BAN NHÂN DÂN THÀNH PHỐ") stays
with the group before it: "Ủy ban nhân dân thành phố" is one name. The groups are then packed
greedily into lines as wide as the column, measured with the widths of Times New Roman
(`CHAR_EM`); a group wider than the column is broken between its words, as a last resort.

A campaign may give the lines itself (`name_lines` in campaign.yaml): they win.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache

# Names repeat across a campaign's documents (the same agency on a thousand reports): the
# pure functions below remember the last results (bounded) instead of working them out again
MEMO_SIZE = 4096

# Phrases that open a word group (capitals, as printed). A level's place name runs to the next level
# ("PHƯỜNG AN PHÚ / QUẬN NINH KIỀU"), and nothing inside it opens a group.
PLACE_LEVELS = ("THÀNH PHỐ", "TỈNH", "QUẬN", "HUYỆN", "THỊ XÃ", "THỊ TRẤN", "PHƯỜNG", "XÃ")
GROUP_STARTS = (*PLACE_LEVELS, "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "CỦA", "VÀ", "CHO",
                "THI ĐUA - KHEN THƯỞNG")
# Words that bind to the group after them.
LINKS = ("CỦA", "VÀ", "CHO")
# Phrases a last-resort break never splits.
KEEP_WHOLE = (*PLACE_LEVELS, "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THI ĐUA - KHEN THƯỞNG",
              "BẰNG KHEN", "GIẤY KHEN", "CHỦ TỊCH", "TRÁCH NHIỆM HỮU HẠN", "MỘT THÀNH VIÊN",
              "TRUNG HỌC CƠ SỞ", "TRUNG HỌC PHỔ THÔNG", "TIỂU HỌC", "MẦM NON", "ĐỀ NGHỊ TẶNG")
# Phrases after which a new group starts ("ĐỀ NGHỊ TẶNG / BẰNG KHEN …").
# The kind of an enterprise or a school ends a group: its proper name follows.
GROUP_ENDS = ("ĐỀ NGHỊ TẶNG", "CÔNG TY TNHH", "CÔNG TY CỔ PHẦN", "CÔNG TY TRÁCH NHIỆM HỮU HẠN",
              "TRƯỜNG TRUNG HỌC CƠ SỞ", "TRƯỜNG TRUNG HỌC PHỔ THÔNG", "TRƯỜNG TIỂU HỌC",
              "TRƯỜNG MẦM NON")

# Advance widths in em of Times New Roman (bold, capitals), by base letter; anything else
# (lower case, digits) counts `DEFAULT_EM`. Regular capitals are about 5 % narrower.
CHAR_EM = {
    " ": 0.25, "-": 0.333, ".": 0.25, ",": 0.25, "(": 0.333, ")": 0.333, "I": 0.389,
    "J": 0.5, "S": 0.556, "P": 0.611, "F": 0.611, "B": 0.667, "E": 0.667, "L": 0.667,
    "T": 0.667, "Z": 0.667, "A": 0.722, "C": 0.722, "D": 0.722, "N": 0.722, "R": 0.722,
    "U": 0.722, "V": 0.722, "X": 0.722, "Y": 0.722, "G": 0.778, "H": 0.778, "K": 0.778,
    "O": 0.778, "Q": 0.778, "M": 0.944, "W": 1.0,
}
DEFAULT_EM = 0.5
REGULAR_FACTOR = 0.95
PT_PER_CM = 72 / 2.54
SAFETY = 0.97  # keep a little room: LibreOffice's and Word's metrics differ slightly


def _base(char: str) -> str:
    """The letter without its Vietnamese marks: "Ủ" → "U", "Đ" → "D", "Ơ" → "O"."""
    if char in "Đđ":
        return "D"
    return unicodedata.normalize("NFD", char)[0].upper() if char.isalpha() else char


def text_em(text: str, *, bold: bool = True) -> float:
    """The printed width of `text` in em (capitals measured as capitals)."""
    width = sum(CHAR_EM.get(_base(c), DEFAULT_EM) if (c.isupper() or not c.isalpha())
                else DEFAULT_EM for c in text)
    return width if bold else width * REGULAR_FACTOR


def fits(text: str, width_cm: float, size_pt: float, *, bold: bool = True) -> bool:
    return text_em(text, bold=bold) * size_pt <= width_cm * PT_PER_CM * SAFETY


def _starts_at(words: list[str], index: int, phrase: str) -> bool:
    parts = phrase.split()
    found = [w.upper().rstrip(",;") for w in words[index:index + len(parts)]]
    # a phrase never runs over a comma ("THÀNH PHỐ, BẰNG KHEN" is no place name)
    return found == parts and not any(w.endswith((",", ";")) for w in
                                      words[index:index + len(parts) - 1])


def word_groups(text: str) -> list[str]:
    """The word groups of `text`: the places a line may break, and only those."""
    return list(_word_groups(text))


@lru_cache(maxsize=MEMO_SIZE)
def _word_groups(text: str) -> tuple[str, ...]:
    words = text.split()
    starts = {0}
    for index in range(len(words)):
        if index and words[index - 1].endswith((",", ";")):
            starts.add(index)  # a list of names: each item opens a group
        for phrase in GROUP_STARTS:
            if _starts_at(words, index, phrase):
                level = phrase in PLACE_LEVELS
                last = index + len(phrase.split()) - 1
                # nothing after the level word, or a comma: "Ủy ban nhân dân thành phố" is
                # one name
                ends_here = (last + 1 >= len(words) or words[last].endswith((",", ";"))
                             or any(_starts_at(words, last + 1, p) for p in GROUP_STARTS))
                if index and not (level and ends_here):  # "… ỦY BAN NHÂN DÂN THÀNH PHỐ": one name
                    starts.add(index)
        for phrase in GROUP_ENDS:
            end = index + len(phrase.split())
            if _starts_at(words, index, phrase) and end < len(words):
                starts.add(end)
    # a place level opens the place name, which runs to the next level: no break inside it
    # ("THÀNH PHỐ / CẦN THƠ", "VÀ" in a place name, "XÃ" in "THỊ XÃ")
    for index in sorted(starts):
        level = next((p for p in PLACE_LEVELS if _starts_at(words, index, p)), None)
        if level is None:
            continue
        for inside in range(index + 1, len(words)):
            if inside >= index + len(level.split()) and (
                    any(_starts_at(words, inside, p) for p in GROUP_STARTS)
                    or words[inside - 1].endswith((",", ";"))):
                break  # the place name ends at the next level, "VÀ", "CỦA" or a comma
            starts.discard(inside)
    # a linking word binds to what follows it: "CỦA / ỦY BAN NHÂN DÂN" is one group
    ordered = sorted(starts)
    for before, start in zip(ordered, ordered[1:], strict=False):
        if " ".join(words[before:start]).upper() in LINKS:
            starts.discard(start)
    bounds = [*sorted(starts), len(words)]
    return tuple(" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if a < b)


def break_lines(text: str, width_cm: float, size_pt: float, *, bold: bool = True,
                given: Mapping[str, list[str]] | None = None) -> list[str]:
    """`text` as lines no wider than `width_cm` at `size_pt`, broken between word groups.

    `given`: lines a campaign wrote for a name (compared without case); they win."""
    if not text.strip():
        return [text] if text else []
    for name, lines in (given or {}).items():
        if name.casefold() == text.casefold():
            return [line.upper() if text.isupper() else line for line in lines]
    return list(_packed(text, width_cm, size_pt, bold))


@lru_cache(maxsize=MEMO_SIZE)
def _packed(text: str, width_cm: float, size_pt: float, bold: bool) -> tuple[str, ...]:
    """`text`'s word groups packed greedily into lines (see `break_lines`)."""
    lines: list[str] = []
    for group in _word_groups(text):
        if lines and fits(f"{lines[-1]} {group}", width_cm, size_pt, bold=bold):
            lines[-1] += f" {group}"
        elif fits(group, width_cm, size_pt, bold=bold):
            lines.append(group)
        else:  # wider than the column: its units, packed from the current line on
            for unit in _units(group):
                if lines and fits(f"{lines[-1]} {unit}", width_cm, size_pt, bold=bold):
                    lines[-1] += f" {unit}"
                else:
                    lines.append(unit)
    return tuple(lines)


def _units(line: str) -> list[str]:
    """A group's words, with the phrases that are never split kept whole and the other
    syllables in pairs counted from the end (most Vietnamese words, and most place names at
    the end of a name, are two syllables: "… CÔNG NGHIỆP / CẦN THƠ")."""
    words = line.split()
    units: list[str] = []
    run: list[str] = []

    def flush() -> None:
        head = len(run) % 2
        units.extend(run[:head])
        units.extend(f"{a} {b}" for a, b in zip(run[head::2], run[head + 1::2], strict=True))
        run.clear()

    index = 0
    while index < len(words):
        phrase = next((p for p in KEEP_WHOLE if _starts_at(words, index, p)), None)
        if phrase:
            flush()
            units.append(" ".join(words[index:index + len(phrase.split())]))
            index += len(phrase.split())
        else:
            run.append(words[index])
            index += 1
    flush()
    return units


def joined(text: str, width_cm: float, size_pt: float, *, bold: bool = True,
           given: Mapping[str, list[str]] | None = None) -> str:
    """`break_lines` as one string with line breaks (a template prints "\\n" as a break)."""
    return "\n".join(break_lines(text, width_cm, size_pt, bold=bold, given=given))


# The columns the lines are measured against (tools/nd30/rules.py: HEADER_COLS_CM[0],
# TEXT_WIDTH_CM, SIGN_COLS_CM; a test checks they agree).
HEADER_AGENCY_CM = 6.3
TEXT_WIDTH_CM = 16.5
SIGN_COLS_CM = (7.5, 9.0)


@lru_cache(maxsize=MEMO_SIZE)
def forbidden_breaks(text: str) -> frozenset[int]:
    """Word positions k where a line break (between word k-1 and word k) would cut a name:
    inside a phrase of `KEEP_WHOLE`, and inside a place name after its level ("THÀNH PHỐ /
    CẦN THƠ", "THÀNH PHỐ CẦN / THƠ"). The layout check reads the PDFs against it."""
    words = text.split()
    forbidden: set[int] = set()
    for index in range(len(words)):
        for phrase in KEEP_WHOLE:
            if _starts_at(words, index, phrase):
                forbidden.update(range(index + 1, index + len(phrase.split())))
    groups = _word_groups(text)
    position = 0
    for group in groups:
        size = len(group.split())
        if any(_starts_at(words, position, level) for level in PLACE_LEVELS):
            forbidden.update(range(position + 1, position + size))
        position += size
    return frozenset(forbidden)
