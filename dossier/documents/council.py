"""The council's rules for a valid meeting and decision (Quy chế hoạt động của Hội đồng Thi
đua - Khen thưởng), as campaign data (`bien_ban.rules`), and the sentences the Biên bản states
them with.

- `quorum`: the share of the whole membership that must attend, at least ("2/3"); without it,
  more than half of the members.
- `approval`: the share that must agree, more than it ("1/2", the default).
- `approval_base`: what the share counts against: `members` (the whole council, the default
  when the rules name it) or `present` (the members at the meeting).
- `regulation`: the name of the rules ("Quy chế … ban hành kèm theo Quyết định số …").
- The voting method (`bien_ban.method`) names the column of the votes table: a secret ballot
  counts ballots ("Số phiếu đồng ý"), a show of hands counts members.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dossier.vietnamese import format_percent, two_digit_count

# The votes table's column, by voting method (anything else counts members).
VOTE_HEADINGS = {"bỏ phiếu kín": "Số phiếu đồng ý"}
MEMBERS_HEADING = "Số thành viên đồng ý"
BASE_WORDS = {"members": "tổng số thành viên Hội đồng", "present": "số thành viên dự họp"}
RATIO_HEADINGS = {"members": "Tỷ lệ (trên tổng số thành viên)",
                  "present": "Tỷ lệ (trên số thành viên dự họp)"}


@dataclass(frozen=True)
class CouncilRules:
    regulation: str
    quorum: Fraction | None  # at least this share of the members attend; None: more than half
    approval: Fraction  # more than this share agree
    base: str  # "members" or "present"

    def quorum_met(self, present: int, members: int) -> bool:
        if self.quorum is None:
            return 2 * present > members
        return present >= self.quorum * members

    def approved(self, agree: int, present: int, members: int) -> bool:
        return agree <= present and agree > self.approval * self.base_count(present, members)

    def base_count(self, present: int, members: int) -> int:
        return members if self.base == "members" else present

    def quorum_words(self) -> str:
        if self.quorum is None:
            return "có trên một nửa tổng số thành viên Hội đồng tham dự"
        return f"có ít nhất {_fraction(self.quorum)} tổng số thành viên Hội đồng tham dự"

    def source_words(self) -> str:
        return f"theo {self.regulation}" if self.regulation else "theo quy định"


def _fraction(share: Fraction) -> str:
    return "một nửa" if share == Fraction(1, 2) else f"{share.numerator}/{share.denominator}"


def parse_share(text: str) -> Fraction:
    """"2/3", "1/2", "0.5", "50%" → a Fraction (raises ValueError)."""
    text = str(text).strip()
    if text.endswith("%"):
        return Fraction(text[:-1].replace(",", ".")) / 100
    return Fraction(text.replace(",", "."))


def council_rules(bien_ban: dict[str, Any]) -> CouncilRules:
    rules = bien_ban.get("rules") or {}
    quorum = rules.get("quorum")
    return CouncilRules(
        regulation=rules.get("regulation", ""),
        quorum=parse_share(quorum) if quorum is not None else None,
        approval=parse_share(rules.get("approval", "1/2")),
        base=rules.get("approval_base", "members" if rules else "present"),
    )


def vote_heading(method: str) -> str:
    return VOTE_HEADINGS.get(method.strip().casefold(), MEMBERS_HEADING)


def ratio_heading(rules: CouncilRules) -> str:
    return RATIO_HEADINGS[rules.base]


def ratio(agree: int, base: int) -> str:
    return format_percent(100 * agree / base if base else 0, 1).replace(",0%", "%")


def validity_sentence(rules: CouncilRules, present: int, members: int) -> str:
    """"Cuộc họp đủ điều kiện tiến hành theo Quy chế … (ít nhất 2/3 … tham dự)."."""
    condition = "đủ" if rules.quorum_met(present, members) else "không đủ"
    return (f"Cuộc họp {condition} điều kiện tiến hành {rules.source_words()} "
            f"({rules.quorum_words()}).")


def result_sentence(rules: CouncilRules, least: int, present: int, members: int) -> str:
    """How the weakest approval still carries: "… được 06/07 thành viên, đạt 85,7% …"."""
    base = rules.base_count(present, members)
    least_words = "ít nhất " if least < present else ""
    return (f"Mỗi tập thể, cá nhân trong danh sách đề nghị được {least_words}"
            f"{two_digit_count(least)}/{two_digit_count(base)} thành viên, đạt "
            f"{ratio(least, base)} {BASE_WORDS[rules.base]}, đồng ý (trên "
            f"{_fraction(rules.approval)} {BASE_WORDS[rules.base]}, {rules.source_words()}).")
