"""`dossier diff` and `dossier textconv` on real generated documents with known edits: the exact
lines that change, exit statuses like diff(1), JSON and HTML reports, and git's textconv."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm, Pt

from dossier.cli.main import main
from dossier.documents.verify import document_text
from dossier.review.diff import clean, compare, document_lines

SON = 'hàng "Ông Võ Thanh Sơn"'
MONEY = 'cột "Số tiền thưởng (đồng)"'




def changed(hunks) -> list[str]:
    """The removed and added lines of a document's hunks, in order, with their -/+ sign."""
    return [op + text for hunk in hunks for op, text in hunk.lines if op != " "]


def only_document(a: Path, b: Path):
    [doc] = compare(a, b).documents
    return doc


def docx(folder: Path, stem: str) -> Path:
    return folder / "docx" / f"{stem}.docx"


def diff_lines(stdout: str) -> list[str]:
    """The unified output below its summary (tests/test_review_report.py checks the summary)."""
    lines = stdout.splitlines()
    if lines and lines[0].startswith("Tóm tắt: "):
        return lines[lines.index("") + 1:]
    return lines


# --- normalised text ---------------------------------------------------------------------------

def test_textconv_prints_formatting_header_and_body(built, runner):
    result = runner.invoke(main, ["textconv", str(docx(built.out, "01-to-trinh"))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:11] == [
        "# Định dạng",
        "khổ giấy: A4, dọc (210 × 297 mm)",
        "lề trên: 20 mm",
        "lề dưới: 20 mm",
        "lề trái: 30 mm",
        "lề phải: 15 mm",
        "phông chữ thân bài: Times New Roman",
        "cỡ chữ thân bài: 14 pt",
        "# Đầu trang",
        "{PAGE}",  # the page-number field, not the "2" Word last computed
        "# Nội dung",
    ]
    assert "TỜ TRÌNH" in lines
    # the danh sách follows the closing block (table 2, the signature table nested in it)
    assert ("bảng 3, hàng tiêu đề: STT | Tên tập thể, cá nhân | Chức vụ, đơn vị | "
            "Hình thức khen thưởng | Thành tích | Số tiền thưởng (đồng)") in lines
    assert ('bảng 3, hàng "Sở Tư pháp thành phố Cần Thơ", cột "Số tiền thưởng (đồng)": '
            "4.680.000") in lines
    assert ('bảng 2, hàng "(Có biên bản, danh sách, báo cáo thành tích kèm theo)", cột 1, '
            'bảng 1, hàng "Nơi nhận:", cột 1: - Lưu: VT, KSTT.') in lines


def test_normalised_text_keeps_everything_a_reader_sees(built):
    """Every paragraph and cell that verify.document_text reads is in some line."""
    for path in sorted((built.out / "docx").glob("*.docx")):
        text = "\n".join(document_lines(path))
        for piece in document_text(path).split("\n"):
            assert clean(piece) in text, (path.name, piece)


# --- pairs with known edits --------------------------------------------------------------------

def test_same_input_same_documents(built, pairs, runner):
    """A build with PDFs and one without, from the same input: nothing to report."""
    result = runner.invoke(main, ["diff", str(built.out), str(pairs["base"])])
    assert result.exit_code == 0, result.output
    assert result.output == ""


# The lines a fixed prize of 2.500.000 for Võ Thanh Sơn changes in the Tờ trình.
TOTAL = 'bảng 3, hàng "Tổng cộng", cột'
AMOUNT_CHANGES = [
    f"-bảng 3, {SON}, {MONEY}: 2.340.000",
    f"+bảng 3, {SON}, {MONEY}: 2.500.000",
    f'-{TOTAL} "STT": Tổng số tiền thưởng: 21.060.000 đồng (Bằng chữ: Hai mươi mốt triệu không '
    "trăm sáu mươi nghìn đồng).",
    f"-{TOTAL} {MONEY[4:]}: 21.060.000",
    f'+{TOTAL} "STT": Tổng số tiền thưởng: 21.220.000 đồng (Bằng chữ: Hai mươi mốt triệu hai '
    "trăm hai mươi nghìn đồng).",
    f"+{TOTAL} {MONEY[4:]}: 21.220.000",
]


def test_changed_amount(pairs):
    doc = only_document(docx(pairs["base"], "01-to-trinh"), docx(pairs["amount"], "01-to-trinh"))
    assert changed(doc.hunks) == AMOUNT_CHANGES
    assert [h.section for h in doc.hunks] == ["# Nội dung"]


def test_changed_amount_folders(pairs, runner):
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["amount"]), "-U", "0"])
    assert result.exit_code == 1
    lines = diff_lines(result.stdout)
    assert [line for line in lines if line.startswith(("---", "+++"))] == [
        f"--- {docx(pairs['base'], '01-to-trinh')}", f"+++ {docx(pairs['amount'], '01-to-trinh')}",
        f"--- {docx(pairs['base'], '02-bien-ban')}", f"+++ {docx(pairs['amount'], '02-bien-ban')}",
    ]
    assert lines[2].startswith("@@ -") and lines[2].endswith(" @@ # Nội dung")
    assert f'+bảng 5, {SON}, {MONEY}: 2.500.000' in lines  # the list attached to the Biên bản


def test_removed_nominee(pairs):
    base, quota = pairs["base"], pairs["quota"]
    a_lines = document_lines(docx(base, "01-to-trinh"))
    request = next(line for line in a_lines if "cho 03 tập thể và 03 cá nhân" in line)
    son = [line for line in a_lines if line.startswith(f"bảng 3, {SON}")]
    assert len(son) == 7  # STT, name, position and unit, award, achievement, amount
    doc = only_document(docx(base, "01-to-trinh"), docx(quota, "01-to-trinh"))
    assert changed(doc.hunks) == [
        "-" + request,
        "+" + request.replace("03 cá nhân", "02 cá nhân"),
        *("-" + line for line in son),
        f'-{TOTAL} "STT": Tổng số tiền thưởng: 21.060.000 đồng (Bằng chữ: Hai mươi mốt triệu '
        "không trăm sáu mươi nghìn đồng).",
        f"-{TOTAL} {MONEY[4:]}: 21.060.000",
        f'+{TOTAL} "STT": Tổng số tiền thưởng: 18.720.000 đồng (Bằng chữ: Mười tám triệu bảy '
        "trăm hai mươi nghìn đồng).",
        f"+{TOTAL} {MONEY[4:]}: 18.720.000",
    ]


def test_removed_nominee_folders_json(pairs, runner):
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["quota"]),
                                  "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["diff_version"] == 1 and report["mode"] == "folder" and report["different"]
    assert report["summary"] == {"same": 5, "changed": 2, "added": 0, "removed": 1, "moved": 0}
    by_status = {}
    for doc in report["documents"]:
        by_status.setdefault(doc["status"], []).append((doc["kind"], doc["nominee_id"],
                                                        doc["a"], doc["b"]))
    assert by_status["removed"] == [("bao_cao_thanh_tich", "CN06", "docx/08-bao-cao-CN06.docx",
                                     None)]
    assert by_status["changed"] == [("to_trinh", None, "docx/01-to-trinh.docx",
                                     "docx/01-to-trinh.docx"),
                                    ("bien_ban", None, "docx/02-bien-ban.docx",
                                     "docx/02-bien-ban.docx")]
    to_trinh = report["documents"][0]
    first = to_trinh["hunks"][0]
    assert set(first) == {"a_start", "a_count", "b_start", "b_count", "section", "lines"}
    assert {line["op"] for line in first["lines"]} == {"context", "removed", "added"}
    removed = [line["text"] for hunk in to_trinh["hunks"] for line in hunk["lines"]
               if line["op"] == "removed"]
    assert f"bảng 3, {SON}, cột \"STT\": 3" in removed


def test_removed_nominee_is_listed(pairs, runner):
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["quota"])])
    assert diff_lines(result.stdout)[0] == (
        f"Văn bản chỉ có trong A (bị bỏ): {docx(pairs['base'], '08-bao-cao-CN06')} "
        "[bao_cao_thanh_tich CN06]")
    reverse = runner.invoke(main, ["diff", str(pairs["quota"]), str(pairs["base"])])
    assert diff_lines(reverse.stdout)[0] == (
        f"Văn bản chỉ có trong B (mới): {docx(pairs['base'], '08-bao-cao-CN06')} "
        "[bao_cao_thanh_tich CN06]")


def test_reordered_list(pairs):
    ngoc, hau = 'hàng "Nguyễn Thị Bích Ngọc"', 'hàng "Phạm Văn Hậu"'
    role = 'cột "Chức vụ, vai trò trong Hội đồng"'
    doc = only_document(docx(pairs["base"], "02-bien-ban"), docx(pairs["reorder"], "02-bien-ban"))
    assert changed(doc.hunks) == [
        f'-bảng 2, {ngoc}, cột "STT": 3',
        f'+bảng 2, {hau}, cột "STT": 3',
        f'+bảng 2, {hau}, cột "Họ và tên": Phạm Văn Hậu',
        f"+bảng 2, {hau}, {role}: Trưởng phòng Hành chính - Tổ chức, Ủy viên thường trực",
        f'+bảng 2, {ngoc}, cột "STT": 4',
        f'-bảng 2, {hau}, cột "STT": 4',
        f'-bảng 2, {hau}, cột "Họ và tên": Phạm Văn Hậu',
        f"-bảng 2, {hau}, {role}: Trưởng phòng Hành chính - Tổ chức, Ủy viên thường trực",
    ]
    assert only_document(docx(pairs["base"], "01-to-trinh"),
                         docx(pairs["reorder"], "01-to-trinh")).status == "same"


def test_reordered_documents(pairs, runner):
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["rank"]),
                                  "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    moved = [(d["nominee_id"], d["a"], d["b"], d["status"]) for d in report["documents"]
             if d["moved"]]
    assert moved == [("CN06", "docx/08-bao-cao-CN06.docx", "docx/06-bao-cao-CN06.docx",
                      "changed")]
    renamed = {d["nominee_id"]: (d["a"], d["b"], d["status"]) for d in report["documents"]
               if d["a"] != d["b"] and not d["moved"]}
    assert renamed == {"CN05": ("docx/06-bao-cao-CN05.docx", "docx/07-bao-cao-CN05.docx", "same"),
                       "CN03": ("docx/07-bao-cao-CN03.docx", "docx/08-bao-cao-CN03.docx", "same")}
    text = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["rank"])]).stdout
    assert diff_lines(text)[0] == (
        f"Văn bản đổi vị trí: {docx(pairs['base'], '08-bao-cao-CN06')} → "
        f"{docx(pairs['rank'], '06-bao-cao-CN06')} [bao_cao_thanh_tich CN06]")


def _edited_copy(source: Path, target: Path, edit) -> Path:
    doc = Document(str(source))
    edit(doc)
    doc.save(str(target))
    return target


def _left_margin(doc) -> None:
    doc.sections[0].left_margin = Mm(35)


def _letter_paper(doc) -> None:
    doc.sections[0].page_width, doc.sections[0].page_height = Mm(215.9), Mm(279.4)


def _body_font(doc) -> None:
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(13)


def _direct_font(doc) -> None:
    doc.paragraphs[0].runs[0].font.name = "Arial"


@pytest.mark.parametrize("edit, expected", [
    (_left_margin, ["-lề trái: 30 mm", "+lề trái: 35 mm"]),
    (_letter_paper, ["-khổ giấy: A4, dọc (210 × 297 mm)",
                     "+khổ giấy: 215,9 × 279,4 mm, dọc"]),
    (_body_font, ["-phông chữ thân bài: Times New Roman", "-cỡ chữ thân bài: 14 pt",
                  "+phông chữ thân bài: Arial", "+cỡ chữ thân bài: 13 pt"]),
    (_direct_font, ["+phông chữ đặt trực tiếp: Arial"]),
])
def test_formatting_changes(built, tmp_path, edit, expected):
    original = docx(built.out, "01-to-trinh")
    edited = _edited_copy(original, tmp_path / "edited.docx", edit)
    doc = only_document(original, edited)
    assert changed(doc.hunks) == expected


# --- reports and exit statuses -----------------------------------------------------------------

def test_unified_file_mode_output(pairs, runner):
    a, b = docx(pairs["base"], "01-to-trinh"), docx(pairs["amount"], "01-to-trinh")
    result = runner.invoke(main, ["diff", str(a), str(b), "-U", "1"])
    assert result.exit_code == 1
    lines = diff_lines(result.stdout)
    assert lines[:2] == [f"--- {a}", f"+++ {b}"]
    assert lines[2].startswith("@@ -") and lines[2].endswith(" @@ # Nội dung")
    # context, the amount, context ("Tổng cộng"), the total row's words and figures, which
    # end the document (no context after them)
    assert lines[3].startswith(" ") and lines[6].startswith(" ")
    assert len(lines) == 3 + 1 + 2 + 1 + 4
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_unified_colour_on_a_terminal(pairs, runner):
    a, b = docx(pairs["base"], "01-to-trinh"), docx(pairs["amount"], "01-to-trinh")
    result = runner.invoke(main, ["diff", str(a), str(b)], env={"FORCE_COLOR": "1"})
    assert result.exit_code == 1
    assert "\x1b[" in result.stdout
    assert "7;31m21.060.000" in result.stdout and "7;32m21.220.000" in result.stdout  # reversed


def test_html_report(pairs, runner, tmp_path):
    """The report itself is tested in tests/test_review_report.py: here, what it lists."""
    report = tmp_path / "report.html"
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["quota"]),
                                  "--format", "html", "--out", str(report)])
    assert result.exit_code == 1 and result.stdout == ""
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.count('<section class="doc"') == 2  # Tờ trình and Biên bản
    assert "Văn bản bị bỏ: Báo cáo thành tích – Võ Thanh Sơn" in page
    assert "08-bao-cao-CN06.docx" in page
    assert '<td class="del">bảng 3, hàng "Ông Võ Thanh Sơn"' in page  # the list after the closing


def test_identical_files(built, runner):
    path = str(docx(built.out, "03-bao-cao-TT05"))
    result = runner.invoke(main, ["diff", path, path, "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["different"] is False and report["documents"][0]["status"] == "same"


def _not_docx(tmp_path: Path) -> tuple[list[str], str]:
    path = tmp_path / "ghi-chu.docx"
    path.write_text("không phải Word", encoding="utf-8")
    return [str(path), str(path)], f"{path}: không phải tệp .docx"


def _missing(tmp_path: Path) -> tuple[list[str], str]:
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    return [str(a), str(b)], f"{a}: không tồn tại"


def _no_manifest(tmp_path: Path) -> tuple[list[str], str]:
    return [str(tmp_path), str(tmp_path)], f"{tmp_path}: không có manifest.json"


def _bad_manifest(tmp_path: Path) -> tuple[list[str], str]:
    (tmp_path / "manifest.json").write_text("{", encoding="utf-8")
    return [str(tmp_path), str(tmp_path)], f"{tmp_path / 'manifest.json'}: không đọc được"


def _folder_and_file(tmp_path: Path) -> tuple[list[str], str]:
    path = tmp_path / "a.docx"
    path.write_bytes(b"")
    return [str(tmp_path), str(path)], f"{tmp_path} là thư mục còn {path} không phải"


def _missing_document(tmp_path: Path) -> tuple[list[str], str]:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, sha in ((a, "1"), (b, "2")):
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"documents": [
            {"kind": "to_trinh", "nominee_id": None, "docx": "docx/01.docx", "sha256": sha}]}))
    return [str(a), str(b)], f"{a / 'docx' / '01.docx'}: không tồn tại"


@pytest.mark.parametrize("case", [_not_docx, _missing, _no_manifest, _bad_manifest,
                                  _folder_and_file, _missing_document])
def test_errors_exit_2_naming_the_file(runner, tmp_path, case):
    args, message = case(tmp_path)
    result = runner.invoke(main, ["diff", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.startswith("Lỗi: ") and message in result.stderr


def test_textconv_error(runner, tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04 broken")
    result = runner.invoke(main, ["textconv", str(path)])
    assert result.exit_code == 2 and f"{path}: không phải tệp .docx" in result.stderr


# --- git -----------------------------------------------------------------------------------------

def _dossier_command() -> str:
    script = Path(sys.executable).with_name("dossier")
    if script.is_file():
        return f'"{script}"'
    return f'"{sys.executable}" -c "from dossier.cli.main import main; main()"'


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_diff_with_textconv(pairs, tmp_path):
    """The README's recipe: .gitattributes + diff.docx.textconv, in a real repository."""
    repo = tmp_path / "repo"
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Reviewer", "GIT_AUTHOR_EMAIL": "reviewer@example.invalid",
           "GIT_COMMITTER_NAME": "Reviewer", "GIT_COMMITTER_EMAIL": "reviewer@example.invalid"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True,
                              capture_output=True, text=True).stdout

    repo.mkdir()
    git("init", "-q")
    (repo / ".gitattributes").write_text("*.docx diff=docx\n", encoding="utf-8")
    git("config", "diff.docx.textconv", f"{_dossier_command()} textconv")
    shutil.copy(docx(pairs["base"], "01-to-trinh"), repo / "to-trinh.docx")
    git("add", ".")
    git("commit", "-q", "-m", "Tờ trình đã duyệt")
    shutil.copy(docx(pairs["amount"], "01-to-trinh"), repo / "to-trinh.docx")
    patch = git("diff")
    changes = [line for line in patch.splitlines()
               if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
    assert changes == AMOUNT_CHANGES
    assert "Binary files" not in patch


# --- the README documents what the command does ---------------------------------------

def _readme_section() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("## Reviewing changes", 1)[1].split("\n## ", 1)[0]


def _keys(value) -> set[str]:
    """Every key path of a JSON value, lists looked through: {"a": [{"b": 1}]} → {a, a.b}."""
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    return {k for k in value} | {f"{k}.{sub}" for k, v in value.items() for sub in _keys(v)}


def test_readme_json_example_matches_the_output(pairs, runner):
    example = json.loads(re.search(r"```json\n(.*?)```", _readme_section(), re.S).group(1))
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["quota"]),
                                  "--format", "json"])
    assert _keys(example) == _keys(json.loads(result.stdout))


def test_readme_git_recipe_is_the_tested_one():
    section = _readme_section()
    assert "echo '*.docx diff=docx' >> .gitattributes" in section
    assert 'git config diff.docx.textconv "dossier textconv"' in section
