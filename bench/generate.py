"""A synthetic campaign of N nominees, all awarded, for benchmarks.

Based on examples/cantho-2024-so-hoa: the same plan, regime, documents, groups and columns;
30 % collectives spread over the three groups, 70 % individuals; quotas as large as the groups,
so there are N + 2 documents (Tờ trình and Biên bản listing everybody, one report each).
Narratives are recombined from the example's own sentences, 1 to 3 pages per report. The same
N gives the same campaign (seeded).

    .venv/bin/python bench/generate.py N TARGET_DIR
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cantho-2024-so-hoa"
FIELDS = ["id", "kind", "name", "gender", "position", "unit", "unit_type", "parent_id",
          "address", "head_name", "head_title", "yearly_files", "period_files",
          "digitisation_met", "reuse_rate", "reuse_rate_2024", "reused_files",
          "reused_files_2024"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi",
          "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lâm"]
MIDDLE = {"Nam": ["Văn", "Minh", "Quốc", "Thanh", "Hoàng", "Đức"],
          "Nữ": ["Thị", "Ngọc", "Thị Mỹ", "Thị Kim", "Thanh", "Bích"]}
GIVEN = {"Nam": ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Phúc", "Sơn",
                 "Tâm", "Thắng", "Trí", "Vinh"],
         "Nữ": ["Anh", "Châu", "Duyên", "Hà", "Hân", "Lan", "Linh", "Mai", "Ngân", "Nhung",
                "Phượng", "Thảo", "Trang", "Vy"]}
POSITIONS = ["Chuyên viên Bộ phận Một cửa", "Chuyên viên Phòng Hành chính - Tổng hợp",
             "Phó Trưởng phòng Kiểm soát thủ tục hành chính", "Công chức tiếp nhận hồ sơ",
             "Viên chức Trung tâm Phục vụ hành chính công"]
AGENCIES = ["Sở", "Ban Quản lý", "Trung tâm", "Chi cục"]
FIELDS_OF_WORK = ["Tư pháp", "Tài chính", "Xây dựng", "Công Thương", "Y tế", "Giáo dục và Đào tạo",
                  "Nông nghiệp và Phát triển nông thôn", "Tài nguyên và Môi trường",
                  "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch",
                  "Giao thông vận tải", "Khoa học và Công nghệ", "Nội vụ", "Kế hoạch và Đầu tư"]


def _sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in
                    sorted((EXAMPLE / "achievements").glob("*.md")))
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", " ".join(text.split())) if len(s) > 40]


def _narrative(rng: random.Random, sentences: list[str]) -> str:
    """Paragraphs of 3–6 sentences, ~100–900 words: with the form, 1 to 3 pages."""
    words = rng.randint(100, 900)
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs) + "\n"


def _person(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice(["Nam", "Nữ"])
    return (f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}",
            gender)


def _unique_rates(rng: random.Random, count: int, low: float) -> list[float]:
    """`count` distinct rates ≥ low with one decimal (repeated only when there are too few)."""
    pool = [round(low + i / 10, 1) for i in range(int((100 - low) * 10) + 1)]
    rng.shuffle(pool)
    return [pool[i % len(pool)] for i in range(count)]


def _collectives(rng: random.Random, count: int) -> list[dict[str, str]]:
    bands = [(90_001, 400_000, 55.0), (10_000, 90_000, 80.0), (500, 9_999, 100.0)]
    rows = []
    for group, (low, high, min_rate) in enumerate(bands):
        size = count // 3 + (1 if group < count % 3 else 0)
        rates = _unique_rates(rng, size, min_rate)
        rates_2024 = _unique_rates(rng, size, 40.0)
        for rate, rate_2024 in zip(rates, rates_2024, strict=True):
            number = len(rows) + 1
            head, _ = _person(rng)
            yearly = rng.randint(low, high)
            rows.append({
                "id": f"TT{number:05d}", "kind": "Tập thể",
                "name": f"{rng.choice(AGENCIES)} {rng.choice(FIELDS_OF_WORK)} số {number}",
                "unit": "Ủy ban nhân dân thành phố Cần Thơ", "unit_type": "Cơ quan chuyên môn",
                "address": f"Số {rng.randint(1, 300)} đường Hòa Bình, phường Tân An, "
                           "quận Ninh Kiều, thành phố Cần Thơ",
                "head_name": head, "head_title": "Giám đốc", "yearly_files": str(yearly),
                "period_files": str(max(100, yearly // 6)), "digitisation_met": "Đạt",
                "reuse_rate": f"{rate:g}", "reuse_rate_2024": f"{rate_2024:g}",
            })
    return rows


def _individuals(rng: random.Random, count: int, units: list[dict[str, str]]) -> list[dict]:
    reused = rng.sample(range(100, 100 + 20 * count), count)
    rows = []
    for number, files in enumerate(reused, start=1):
        name, gender = _person(rng)
        unit = rng.choice(units)
        while name == unit["head_name"]:  # who confirms a report is not who wrote it
            name, gender = _person(rng)
        rows.append({
            "id": f"CN{number:05d}", "kind": "Cá nhân", "name": name, "gender": gender,
            "position": rng.choice(POSITIONS), "unit": unit["name"], "parent_id": unit["id"],
            "reused_files": str(files), "reused_files_2024": str(files * 4 + number),
        })
    return rows


def _campaign(n: int, collectives: list[dict], individuals: int) -> dict:
    campaign = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text(encoding="utf-8"))
    campaign["id"] = f"bench-{n}"
    sizes = {}
    for index, group in enumerate(("nhom-1", "nhom-2", "nhom-3")):
        sizes[group] = len(collectives) // 3 + (1 if index < len(collectives) % 3 else 0)
    for award in campaign["awards"]:
        if award["id"] == "bang-khen-tap-the":
            award["quotas"] = [{"group": g, "count": c} for g, c in sizes.items() if c]
            award["total"] = len(collectives)
        else:
            award["quotas"] = [{"group": "ca-nhan", "count": individuals}]
            award["total"] = individuals
    return campaign


def generate(n: int, target: Path) -> Path:
    rng = random.Random(n)
    sentences = _sentences()
    collectives = _collectives(rng, max(3, round(n * 0.3)))
    people = _individuals(rng, n - len(collectives), collectives)
    (target / "achievements").mkdir(parents=True, exist_ok=True)
    campaign = _campaign(n, collectives, len(people))
    (target / "campaign.yaml").write_text(
        yaml.safe_dump(campaign, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with (target / "rankings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        for row in collectives + people:
            writer.writerow(row)
            (target / "achievements" / f"{row['id']}.md").write_text(
                _narrative(rng, sentences), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
