"""The place in a report's date line (NĐ 30/2020, Phụ lục I, mục I.5): the official name of the
administrative unit where the issuing body sits, not the campaign's province.

"Ủy ban nhân dân thành phố Vị Thanh" → "Vị Thanh"; "Ủy ban nhân dân phường Hưng Lợi" → "Hưng
Lợi"; "Sở Tư pháp thành phố Cần Thơ" → "Cần Thơ". A unit named by a number keeps its full name
("Ủy ban nhân dân Phường 10" → "Phường 10", "phường VII" → "Phường VII"). A unit named after a
person or an event keeps its full name too ("Phường Lê Bình"); no rule can tell such a name
from another, so the ranking's optional `place` column gives the place whenever the rule would
not: it always wins.

Where to look, in order: the `place` column; the first administrative level in the nominee's
own name (a collective) or in its `unit` (an individual, or a collective named without a
level, e.g. a school); the campaign's `place`.
"""

from __future__ import annotations

import functools
import re

from dossier.documents.agency_lines import PLACE_LEVELS
from dossier.models import Nominee

# The place name after a level runs to the next comma or the next level.
NUMBERED = re.compile(r"^(\d+[A-Za-z]?|[IVXLC]+)$")  # "10", "3A", "VII"


@functools.lru_cache(maxsize=4096)  # units are named again and again (one per individual)
def place_in_name(name: str) -> str | None:
    """The place of the first administrative level named in `name`, or None."""
    words = name.replace(",", " , ").split()
    for index in range(len(words)):
        for level in PLACE_LEVELS:
            size = len(level.split())
            if [w.upper() for w in words[index:index + size]] != level.split():
                continue
            rest: list[str] = []
            for at in range(index + size, len(words)):
                if words[at] == "," or any(
                        [w.upper() for w in words[at:at + len(lv.split())]] == lv.split()
                        for lv in PLACE_LEVELS):
                    break  # the next level ("…, quận Ninh Kiều") ends the place name
                rest.append(words[at])
            if not rest:
                continue  # "Ủy ban nhân dân thành phố" with no name after it
            place = " ".join(rest)
            if NUMBERED.match(place):
                return f"{level.capitalize()} {place}"
            return place
    return None


def report_place(nominee: Nominee, default: str) -> str:
    """The place of a report's date line for `nominee` (see the module docstring)."""
    given = (nominee.get("place") or "").strip()
    if given:
        return given
    names = [nominee.name, nominee.get("unit") or ""] if nominee.kind == "tap_the" else [
        nominee.get("unit") or ""]
    for name in names:
        found = place_in_name(name)
        if found:
            return found
    return default
