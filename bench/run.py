"""Benchmark `dossier build` on synthetic campaigns (bench/generate.py), in one run:

(a) our full build (the CLI, cold cache: render, convert, bundle, manifest, cache writes);
(b) the floor: LibreOffice alone converting the very same .docx files, one batch call per
    core, no Python around it (bench/floor.sh);
(c) the naive way: one `soffice --convert-to pdf` process per file, timed on a sample and
    extrapolated to every document;
(d) incremental rebuilds with the warm cache after editing one nominee's row: a field only its
    own report prints (a collective's address), and one the two lists print too (a person's
    position: Tờ trình and Biên bản change as well);
(e) peak memory: of the build's Python process, and of the bundling step alone;
plus the render rate of compiled templates, in one process (= one core); the share of documents
the build converts within merged documents (dossier/convert/merged.py); the seconds per page of
the lists (the Tờ trình, the Biên bản) converted alone; and the fidelity sample: documents of the
build (cut from merged PDFs) compared with the floor's (each converted alone), and after (d′) the
two lists (spliced from pieces) compared with their .docx converted alone.

(a) and (b) run alternately `--repeat` times and the fastest of each is kept: the machine may
be shared. Results are merged into bench/results.json by N, and bench/README.md is rewritten
from it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
AS_OF = "2024-12-20"
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402

# The peak is read from /proc (VmHWM: this program's own pages), not from getrusage: a child's
# ru_maxrss starts at what its parent held when it was started (Linux folds the parent's
# memory into it at exec), and this benchmark holds hundreds of MB at N = 5.000.
PEAK_WRAPPER = """
import json, resource, sys
from dossier.cli.main import main
try:
    main(sys.argv[2:], prog_name="dossier")
finally:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    open(sys.argv[1], "w").write(json.dumps([
        int(status), children.ru_maxrss, own.ru_utime + own.ru_stime,
        children.ru_utime + children.ru_stime]))
"""

BUNDLE_PROBE = """
import json, sys
from pathlib import Path
from dossier.output.bundle import BundlePart, bundle
def peak():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
before = peak()
pdfs = sorted(Path(sys.argv[1]).glob("*.pdf"))
bundle([BundlePart(p.stem, p) for p in pdfs], Path(sys.argv[2]), "bench")
print(json.dumps([before, peak()]))
"""

RENDER_PROBE = """
import datetime as dt, json, sys, time
from pathlib import Path
from dossier.checks.analysis import analyse
from dossier.documents.render import render_docx, template_path
start = time.perf_counter()
analysis = analyse(Path(sys.argv[1]), dt.date(2024, 12, 20))
analysed = time.perf_counter() - start
plans = analysis.plans
for plan in plans[:4]:  # compile the templates (once per build)
    render_docx(template_path(analysis.campaign.root, plan.template), plan.context,
                dt.date(2024, 12, 20), plan.title)
start = time.perf_counter()
for plan in plans:
    render_docx(template_path(analysis.campaign.root, plan.template), plan.context,
                dt.date(2024, 12, 20), plan.title)
rendered = time.perf_counter() - start
print(json.dumps({"analyse_s": analysed, "render_s": rendered, "documents": len(plans)}))
"""


def machine() -> dict[str, str]:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    office = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout
    return {"nproc": str(os.cpu_count()), "cpu": model, "ram": f"{kib / 1024 / 1024:.0f} GiB",
            "libreoffice": office.strip(), "python": platform.python_version(),
            "load": " ".join(f"{v:.2f}" for v in os.getloadavg())}


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def dossier_build(campaign: Path, out: Path, cache: Path, scratch: Path) -> dict:
    """The CLI in a child process; wall time and its peak memory (own, and its children's)."""
    peaks = scratch / "peak.json"
    seconds = timed([PYTHON, "-c", PEAK_WRAPPER, str(peaks), "build", str(campaign), "--out",
                     str(out), "--as-of", AS_OF, "--cache-dir", str(cache), "--quiet"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own, children, own_cpu, children_cpu = json.loads(peaks.read_text())
    return {"seconds": seconds, "peak_mb": own / 1024, "children_peak_mb": children / 1024,
            "cpu_s": own_cpu, "children_cpu_s": children_cpu}


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor(docx: list[Path], scratch: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of LibreOffice alone converting `docx`."""
    out = scratch / "floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    before = children_cpu()
    seconds = timed(["bash", str(HERE / "floor.sh"), str(out), str(os.cpu_count()),
                     *map(str, docx)])
    produced = len(list(out.glob("*.pdf")))
    assert produced == len(docx), f"floor produced {produced} of {len(docx)} PDFs"
    return seconds, children_cpu() - before


def naive(docx: list[Path], sample: int, scratch: Path) -> dict:
    """One soffice per file, one after the other, a warm profile: the lists and an even
    sample of reports, extrapolated to every report."""
    profile = f"-env:UserInstallation=file://{scratch}/naive-profile"
    out = scratch / "naive"
    out.mkdir(exist_ok=True)

    def one(path: Path) -> float:
        return timed(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                      str(out), str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    one(docx[-1])  # create the profile first, as a user's would already be
    lists, reports = docx[:2], docx[2:]
    step = max(1, len(reports) // sample)
    timings = [one(p) for p in reports[::step][:sample]]
    per_report = sum(timings) / len(timings)
    list_seconds = sum(one(p) for p in lists)
    return {"seconds": list_seconds + per_report * len(reports), "per_report_s": per_report,
            "sampled": len(timings)}


def convert_alone(path: Path, out: Path, profile: str) -> tuple[float, int]:
    """One document, one soffice call on a warm profile: (seconds, pages)."""
    from pypdf import PdfReader

    seconds = timed(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                     str(out), str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return seconds, len(PdfReader(out / f"{path.stem}.pdf").pages)


def without_list(path: Path, target: Path) -> Path:
    """The document with its lists emptied: every table with a repeated header keeps only its
    header rows (tables cut from one list, and the paragraphs between them, are kept)."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data)
                for table in root.iter(f"{w}tbl"):
                    for row in table.findall(f"{w}tr"):
                        if row.find(f"{w}trPr/{w}tblHeader") is None and table.find(
                                f"{w}tr/{w}trPr/{w}tblHeader") is not None:
                            table.remove(row)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            out.writestr(info, data)
    return target


def list_pages(docx: list[Path], scratch: Path, runs: int = 3) -> dict:
    """Seconds per page of each list (the Tờ trình's, the Biên bản's): the document converted
    alone, less the same document with its list emptied (LibreOffice's start, loading, the
    text around the list), over the pages the list adds. The best of `runs` of each."""
    profile = f"-env:UserInstallation=file://{scratch}/list-profile"
    out = scratch / "lists"
    out.mkdir(exist_ok=True)
    found = {}
    convert_alone(docx[-1], out, profile)  # set the profile up
    for path in docx[:2]:
        empty = without_list(path, out / f"{path.stem}-empty.docx")
        seconds, pages = min(convert_alone(path, out, profile) for _ in range(runs))
        base, base_pages = min(convert_alone(empty, out, profile) for _ in range(runs))
        found[path.stem] = {"seconds": seconds, "pages": pages, "empty_s": base,
                            "empty_pages": base_pages,
                            "per_page_s": (seconds - base) / max(1, pages - base_pages)}
    return {"lists": found}


def merged_share(docx: list[Path]) -> float:
    """Share of the documents the build converts within merged documents (its plan)."""
    from dossier.convert.merged import plan

    groups, _ = plan(docx)
    return sum(len(group) for group in groups) / len(docx)


def fidelity(built: Path, floor_dir: Path, docx: list[Path], sample: int) -> dict:
    """The build's PDFs of an even sample of the merged documents, and of the lists, compared
    with the floor's (the same .docx converted alone): pages, text per page, rendering."""
    from dossier.convert.fidelity import compare
    from dossier.convert.merged import plan

    groups, _ = plan(docx)
    merged = [d for group in groups for d in group]
    step = max(1, len(merged) // sample)
    chosen = [*docx[:2], *merged[::step][:sample]]
    differing = [d.stem for d in chosen
                 if compare(built / f"{d.stem}.pdf", floor_dir / f"{d.stem}.pdf")]
    return {"sampled": len(chosen), "differing": differing}


def pieces_fidelity(out: Path, scratch: Path) -> dict:
    """After (d′): the two lists' PDFs (spliced from pieces into the cached ones, issue 17)
    compared with their .docx converted alone by plain LibreOffice (bench/floor.sh)."""
    from dossier.convert.fidelity import compare

    target = scratch / "pieces-alone"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    lists = sorted((out / "docx").glob("*.docx"))[:2]
    subprocess.run(["bash", str(HERE / "floor.sh"), str(target), "2", *map(str, lists)],
                   check=True)
    differing = [d.stem for d in lists
                 if compare(out / "pdf" / f"{d.stem}.pdf", target / f"{d.stem}.pdf")]
    return {"compared": len(lists), "differing": differing}


def edit_row(campaign: Path, nominee_id: str, column: str, value: str) -> None:
    path = campaign / "rankings.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == nominee_id:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def probe(code: str, *args: str) -> dict | list:
    done = subprocess.run([PYTHON, "-c", code, *args], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n: int, work: Path, repeat: int, sample: int) -> dict:
    print(f"\n== N = {n} ==", flush=True)
    campaign = generate(n, work / "campaign")
    out = work / "out"
    builds, floors = [], []
    for round_ in range(repeat):
        cache = work / f"cache-{round_}"
        builds.append(dossier_build(campaign, out, cache, work))
        print(f"  (a) build: {builds[-1]['seconds']:.1f} s", flush=True)
        docx = sorted((out / "docx").glob("*.docx"))
        floors.append(floor(docx, work))
        print(f"  (b) floor: {floors[-1][0]:.1f} s", flush=True)
    build = min(builds, key=lambda b: b["seconds"])
    fastest_floor = min(floors)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    docx = sorted((out / "docx").glob("*.docx"))
    share = merged_share(docx)
    same = fidelity(out / "pdf", work / "floor", docx, sample)
    print(f"  merged share: {100 * share:.0f} %; fidelity: {len(same['differing'])} of "
          f"{same['sampled']} differ {same['differing']}", flush=True)
    lists = list_pages(docx, work)
    print("  lists: " + ", ".join(f"{k} {v['pages']} p {1000 * v['per_page_s']:.0f} ms/page"
                                  for k, v in lists["lists"].items()), flush=True)
    naive_result = naive(docx, sample, work)
    print(f"  (c) naive: {naive_result['seconds']:.0f} s (extrapolated)", flush=True)
    cache = work / f"cache-{repeat - 1}"
    edit_row(campaign, "TT00001", "address", "Số 1 đường Hòa Bình (đã sửa)")
    incremental = dossier_build(campaign, out, cache, work)["seconds"]
    print(f"  (d) incremental (report-only field): {incremental:.1f} s", flush=True)
    edit_row(campaign, "CN00001", "position", "Chuyên viên (đã sửa)")
    incremental_lists = dossier_build(campaign, out, cache, work)["seconds"]
    print(f"  (d') incremental (field in the lists): {incremental_lists:.1f} s", flush=True)
    spliced = pieces_fidelity(out, work)
    print(f"  (d') lists spliced from pieces vs converted alone: {spliced['differing']} differ",
          flush=True)
    before, after = probe(BUNDLE_PROBE, str(out / "pdf"), str(work / "probe.pdf"))
    rendering = probe(RENDER_PROBE, str(campaign))
    return {
        "n": n, "documents": len(manifest["documents"]),
        "pages": manifest["bundle"]["pages"], "date": dt.date.today().isoformat(),
        "build_s": build["seconds"], "builds_s": [b["seconds"] for b in builds],
        "floor_s": fastest_floor[0], "floors_s": [f[0] for f in floors],
        "floor_cpu_s": fastest_floor[1], "build_cpu_s": build["cpu_s"],
        "build_children_cpu_s": build["children_cpu_s"],
        "naive_s": naive_result["seconds"], "naive_per_report_s": naive_result["per_report_s"],
        "naive_sampled": naive_result["sampled"],
        "incremental_s": incremental, "incremental_lists_s": incremental_lists,
        "peak_mb": build["peak_mb"], "libreoffice_peak_mb": build["children_peak_mb"],
        "bundle_peak_mb": after / 1024, "bundle_baseline_mb": before / 1024,
        "analyse_s": rendering["analyse_s"],
        "render_per_s": rendering["documents"] / rendering["render_s"],
        "merged_share": share, "fidelity": same, "lists": lists,
        "pieces_fidelity": spliced,
    }


def ratios(r: dict) -> dict[str, float]:
    return {"build/floor": r["build_s"] / r["floor_s"], "naive/build": r["naive_s"] / r["build_s"],
            "incremental/build": r["incremental_s"] / r["build_s"],
            "incremental_lists/build": r["incremental_lists_s"] / r["build_s"]}


def table(results: list[dict]) -> str:
    head = ("| N | docs | pages | (a) build | (b) floor | a/b (≤ 0.40) | (c) naive | c/a (≥ 35) "
            "| (d) incr. | d/a (≤ 5 %) | (d′) incr., lists (≤ 5 %) | merged | fidelity (0) "
            "| Tờ trình's list, s/page | render/core (≥ 200/s) | peak build | peak bundling "
            "| date |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in sorted(results, key=lambda r: r["n"]):
        k = ratios(r)
        lines.append(
            f"| {r['n']:,} | {r['documents']:,} | {r['pages']:,} | {r['build_s']:.1f} s "
            f"| {r['floor_s']:.1f} s | {k['build/floor']:.2f} | {r['naive_s']:.0f} s "
            f"| {k['naive/build']:.1f}× | {r['incremental_s']:.1f} s "
            f"| {100 * k['incremental/build']:.1f} % | {r['incremental_lists_s']:.1f} s "
            f"({100 * k['incremental_lists/build']:.0f} %) | {_merged(r)} | {_fidelity(r)} "
            f"| {_list_rate(r)} | {r['render_per_s']:.0f}/s "
            f"| {r['peak_mb']:.0f} MB | {r['bundle_peak_mb']:.0f} MB "
            f"(base {r['bundle_baseline_mb']:.0f}) | {r['date']} |".replace(",", "."))
    return "\n".join(lines)


def _merged(r: dict) -> str:
    return f"{100 * r['merged_share']:.0f} %" if "merged_share" in r else "–"


def _fidelity(r: dict) -> str:
    if "fidelity" not in r:
        return "–"
    spliced = r.get("pieces_fidelity")
    after = f"; d′ {len(spliced['differing'])} of {spliced['compared']}" if spliced else ""
    return f"{len(r['fidelity']['differing'])} of {r['fidelity']['sampled']}{after}"


def _list_rate(r: dict) -> str:
    found = r.get("lists", {}).get("lists", {})
    entry = next((v for k, v in found.items() if "to-trinh" in k), None)
    if entry is None:
        return "–"
    return f"{entry['per_page_s']:.3f} ({entry['pages']} p)"


def cpu_summary(results: list[dict]) -> str:
    """Where the CPU went, per N: the build's own (Python), its children's (LibreOffice,
    pdftotext) and the floor's; on `nproc` cores a build cannot take less wall time than its
    total CPU over the cores."""
    lines = []
    for r in sorted(results, key=lambda r: r["n"]):
        if "build_cpu_s" not in r:
            continue
        cores = int(r["machine"]["nproc"])
        total = r["build_cpu_s"] + r["build_children_cpu_s"]
        size = f"{r['n']:,}".replace(",", ".")
        lines.append(
            f"- N = {size}: the build used {r['build_cpu_s']:.1f} s of CPU itself and "
            f"{r['build_children_cpu_s']:.1f} s in LibreOffice and pdftotext, "
            f"{total:.1f} s in all (over {cores} cores: {total / cores:.1f} s, "
            f"{total / cores / r['floor_s']:.2f} of the floor's time); the floor used "
            f"{r['floor_cpu_s']:.1f} s.")
    return ("CPU time (user + system), in the same runs:\n" + "\n".join(lines)) if lines else ""


def summary(results: list[dict]) -> str:
    """The issue 17 figures across N: the spread of the Tờ trình's list's seconds per page."""
    cpu = cpu_summary(results)
    lists = list_summary(results)
    return "\n\n".join(part for part in (lists, cpu) if part)


def list_summary(results: list[dict]) -> str:
    rates = {r["n"]: r["lists"]["lists"] for r in results if "lists" in r}
    per_page = {n: next(v["per_page_s"] for k, v in found.items() if "to-trinh" in k)
                for n, found in rates.items()}
    if len(per_page) < 2:
        return ""
    low, high = min(per_page.values()), max(per_page.values())
    middle = (low + high) / 2
    listed = ", ".join(f"{v:.4f} s (N = {n:,})".replace(",", ".").replace(". ", ", ")
                       for n, v in sorted(per_page.items()))
    return (f"The Tờ trình's list, seconds per page: {listed}; spread ±"
            f"{100 * (high - low) / 2 / middle:.0f} % around the middle of the range.")


def write_readme(results: list[dict]) -> None:
    runs = []
    for r in sorted(results, key=lambda r: r["n"]):
        host = r["machine"]
        size = f"{r['n']:,}".replace(",", ".")
        runs.append(f"- N = {size}: `{r.get('command', 'bench/run')}` on {r['date']}; "
                    f"{host['nproc']} cores ({host['cpu']}), {host['ram']} RAM, "
                    f"{host['libreoffice']}, Python {host['python']}; load average at start "
                    f"{host['load']}")
    template = (HERE / "README.template.md").read_text(encoding="utf-8")
    text = template.format(table=table(results), runs="\n".join(runs),
                           results=summary(results))
    (HERE / "README.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--naive-sample", type=int, default=12)
    parser.add_argument("--work", type=Path, default=None, help="keep the files here")
    parser.add_argument("--readme-only", action="store_true",
                        help="only rewrite README.md from results.json")
    args = parser.parse_args()
    store = HERE / "results.json"
    results = {r["n"]: r for r in json.loads(store.read_text())} if store.exists() else {}
    if args.readme_only:
        write_readme(list(results.values()))
        return
    host = machine()
    print("machine:", json.dumps(host, ensure_ascii=False))
    command = ("bench/run " + " ".join(sys.argv[1:])).strip()
    base = args.work or Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        for n in args.sizes:
            result = measure(n, base / f"n{n}", args.repeat, args.naive_sample)
            result["machine"] = host
            result["command"] = command
            results[n] = result
            print(json.dumps({"n": n, **{k: round(v, 3) for k, v in ratios(result).items()}}))
            store.write_text(json.dumps(list(results.values()), ensure_ascii=False, indent=2)
                             + "\n", encoding="utf-8")
    finally:
        if args.work is None:
            shutil.rmtree(base, ignore_errors=True)
    write_readme(list(results.values()))
    print("\n" + table(list(results.values())))


if __name__ == "__main__":
    main()
