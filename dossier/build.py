"""`dossier build`: analyse, then render, convert, bundle and write the output atomically.

The output is assembled in a temporary sibling folder and swapped into place only when complete,
so a failed or interrupted build leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from dossier import __version__
from dossier.campaign.load import chosen_rounds, round_ids
from dossier.checks.analysis import Analysis, analyse
from dossier.checks.findings import page_limit_findings
from dossier.convert.backends import make_converter
from dossier.convert.converter import (
    Conversion,
    ConversionStream,
    Converter,
    open_stream,
    raise_for_failures,
    raise_if_disk_full,
)
from dossier.documents.layout_check import submissions_layout_findings
from dossier.documents.render import render_docx_text, template_path
from dossier.documents.verify import text_findings
from dossier.errors import ToolError
from dossier.models import Campaign, Finding
from dossier.output import atomic as atomic_output
from dossier.output import marks
from dossier.output.bundle import BundlePart, bundle, page_count
from dossier.output.cache import Cache, link_or_copy
from dossier.output.digest import FileDigests, file_sha256
from dossier.output.list_pieces import ListPieces
from dossier.reports.selection import selection_markdown
from dossier.vietnamese import money_in_words

Progress = Callable[[str, int, int], None]


class BlockingFindings(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"{len(findings)} blocking findings")


@dataclass
class BuildStats:
    """Which documents this build made, by file stem; the others came from the cache."""

    rendered: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    analysis: Analysis
    out: Path
    bundle: Path | None
    documents: int
    pages: int
    stats: BuildStats = field(default_factory=BuildStats)
    bundles: dict[str, Path] = field(default_factory=dict)  # by submission id


@dataclass
class _Options:
    pdf: bool
    report: Progress
    converter: Converter | None  # None: no PDFs
    cache: Cache | None
    digests: FileDigests = field(default_factory=FileDigests)


def build_rounds(root: Path, out: Path, as_of: dt.date, round_id: str | None = None,
                 **options) -> list[BuildResult]:
    """Build a campaign; one with rounds (sơ kết, tổng kết) builds each round, or the one
    named, into `out/<round id>/`. Every round is checked before any is written, and all are
    swapped in together (one staging folder for `out`): never some rounds new and some old.
    With `round_id`, the other rounds of the previous output are kept as they were."""
    chosen = chosen_rounds(root, round_id)
    if chosen == [None]:
        return [build(root, out, as_of, **options)]
    return _build(root, out, as_of, chosen, round_ids(root), **options)


def build(root: Path, out: Path, as_of: dt.date, *, pdf: bool = True,
          progress: Progress | None = None, jobs: int | None = None,
          converter: Converter | str | None = None, cache: Cache | None = None,
          round_id: str | None = None, pdf_a: bool = False) -> BuildResult:
    """Check, render, convert, bundle; write `out` whole or not at all.

    `converter`: a Converter, or a spec for `make_converter` ("local", "unoserver://h:p,…");
    by default `jobs` local LibreOffice workers. `cache`: reuse and store documents there
    (None: render and convert everything). `round_id`: the round of a campaign with rounds."""
    return _build(root, out, as_of, [round_id], None, pdf=pdf, progress=progress, jobs=jobs,
                  converter=converter, cache=cache, pdf_a=pdf_a)[0]


def _build(root: Path, out: Path, as_of: dt.date, chosen: list[str | None],
           rounds: list[str] | None, *, pdf: bool = True, progress: Progress | None = None,
           jobs: int | None = None, converter: Converter | str | None = None,
           cache: Cache | None = None, pdf_a: bool = False) -> list[BuildResult]:
    """Build `chosen` rounds; `rounds` None: one output in `out` itself, else every round of
    the campaign, each in `out/<round id>/` (the rounds not chosen are carried over)."""
    report = progress or (lambda stage, done, total: None)
    options = _Options(pdf, report, _converter(converter, jobs, cache, pdf_a) if pdf else None,
                       cache)
    with _warmed(options.converter):
        analyses = [analyse(root, as_of, round_id) for round_id in chosen]
        blocking = [f for analysis in analyses for f in analysis.blocking]
        if blocking:
            raise BlockingFindings(blocking)
        # staged beside `out`, swapped in whole; OS errors while writing become OutputError
        with atomic_output.replacing(out, protect=(root,)) as staging:
            results = []
            for analysis, round_id in zip(analyses, chosen, strict=True):
                folder = staging / round_id if round_id else staging
                folder.mkdir(exist_ok=True)
                results.append(_assemble(analysis, folder, options))
            if rounds is not None:
                _carry_over(out, staging, [r for r in rounds if r not in chosen])
                _write_manifest(staging, {"campaign": analyses[0].campaign.id,
                                          "rounds": rounds})
    for result, round_id in zip(results, chosen, strict=True):
        result.out = out / round_id if round_id else out
        result.bundle = result.out / result.bundle.name if result.bundle else None
        result.bundles = {sub: result.out / path.name for sub, path in result.bundles.items()}
    return results


def _carry_over(out: Path, staging: Path, rounds: list[str]) -> None:
    """The rounds not built this time, from the previous output into the new one (hard links,
    copies where links cannot be made): only folders that are dossier outputs."""
    for round_id in rounds:
        previous = out / round_id
        if not marks.is_dossier_output(previous):
            continue
        shutil.copytree(previous, staging / round_id, copy_function=link_or_copy)


def _write_manifest(folder: Path, content: dict) -> None:
    """manifest.json, written last: dossier's format and version, then `content`, then the
    list of every file and folder written (how the next build knows the folder is its own)."""
    manifest = {"format": marks.FORMAT, "manifest_version": marks.MANIFEST_VERSION,
                "generator": f"dossier {__version__}", **content,
                "written": marks.written(folder)}
    (folder / marks.MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass
class _Rendered:
    path: Path
    sha256: str
    supplied: bool = False  # a PDF the unit supplied (attachments/), bundled as it is
    rendered: bool = False  # rendered by this build (not taken from the cache)


def bundle_name(campaign: Campaign, submission: str | None = None, several: bool = False) -> str:
    """A submission's file name: the campaign's id, the round's where there are rounds and the
    submission's where a round has several, so that bundles sent together can be told apart."""
    scope = f"{campaign.id}-{campaign.round_id}" if campaign.round_id else campaign.id
    return f"{scope}-{submission}-ho-so.pdf" if several else f"{scope}-ho-so.pdf"


def _assemble(analysis: Analysis, staging: Path, options: _Options) -> BuildResult:
    campaign = analysis.campaign
    stats = BuildStats()
    pdf_paths: list[Path] = []
    page_counts: list[int] = []
    bundles: dict[str, Path] = {}
    if options.pdf:
        docs, pdf_paths, page_counts, bundles = _render_convert_bundle(analysis, staging,
                                                                       options, stats)
    else:
        docs = _render_all(analysis, staging / "docx", options, stats)
    (staging / "selection.md").write_text(
        selection_markdown(campaign, analysis.selection, analysis.submissions), encoding="utf-8")
    _write_manifest(staging, _manifest(analysis, staging, docs, pdf_paths, page_counts, bundles,
                                       options.digests))
    single = next(iter(bundles.values())) if len(bundles) == 1 else None
    return BuildResult(analysis, staging, single, len(docs), sum(page_counts), stats, bundles)


class _Source(NamedTuple):
    """What a document is rendered from, and its key in the cache (None: not cached)."""

    template: Path
    date: dt.date
    key: str | None


def _sources(analysis: Analysis, cache: Cache | None) -> list[_Source | None]:
    """Each plan's `_Source` (None: an attachment, copied as supplied)."""
    sources: list[_Source | None] = []
    for plan in analysis.plans:
        if plan.attachment is not None:
            sources.append(None)
            continue
        template = template_path(analysis.campaign.root, plan.template)
        doc_date = plan.date or _doc_date(analysis, plan.kind)
        key = cache.docx_key(template, plan.context, doc_date, plan.title) if cache else None
        sources.append(_Source(template, doc_date, key))
    return sources


def _render_all(analysis: Analysis, docx_dir: Path, options: _Options, stats: BuildStats,
                feed: _Feed | None = None) -> list[_Rendered]:
    """Render every document (or take it from the cache); check the fresh ones' amounts, each
    as it is rendered (its bytes are not kept: 5.000 reports weigh 300 MB).
    `feed`: told first how many documents will be rendered (those the cache lacks), then
    given each one as it is written (its conversion may start)."""
    docx_dir.mkdir()
    cache = options.cache
    sources = _sources(analysis, cache)
    if feed is not None:
        feed.expect(sum(1 for source in sources if source is not None and not (
            cache and source.key and cache.has_docx(source.key))))
    docs, fresh, mismatches = [], [], []
    for index, (plan, source) in enumerate(zip(analysis.plans, sources, strict=True), start=1):
        if source is None:
            assert plan.attachment is not None
            doc = _copy_attachment(plan.attachment, docx_dir.parent / "attachments", plan.stem)
        else:
            template, doc_date, key = source
            path = docx_dir / f"{plan.stem}.docx"
            sha256 = cache.place_docx(key, path) if cache else None
            rendered = sha256 is None
            if rendered:
                data, text = render_docx_text(template, plan.context, doc_date, plan.title)
                with path.open("xb") as stream:  # a new file: never write through a cache link
                    stream.write(data)
                sha256 = hashlib.sha256(data).hexdigest()
                mismatches += text_findings(path, text)
                fresh.append((path, key, sha256))
                stats.rendered.append(plan.stem)
            doc = _Rendered(path, sha256, rendered=rendered)
        docs.append(doc)
        if feed is not None:
            feed.ready(doc)
        options.report("render", index, len(analysis.plans))
    if mismatches:
        raise BlockingFindings(mismatches)
    if cache:
        for path, key, sha256 in fresh:
            cache.put_docx(key, path, sha256)
    return docs


def _copy_attachment(source: Path, folder: Path, stem: str) -> _Rendered:
    """Supplied PDFs were validated by the checks; they go into the output unchanged."""
    folder.mkdir(exist_ok=True)
    target = folder / f"{stem}.pdf"
    shutil.copyfile(source, target)
    return _Rendered(target, file_sha256(target), supplied=True)


def _converter(spec: Converter | str | None, jobs: int | None, cache: Cache | None,
               pdf_a: bool = False) -> Converter:
    if spec is None or isinstance(spec, str):
        return make_converter(spec, jobs, cache.profile_root() if cache else None, pdf_a)
    return spec


@contextlib.contextmanager
def _warmed(converter: Converter | None) -> Iterator[None]:
    """Let the converter get ready (start LibreOffice) while the campaign is read and the
    documents rendered; release it whatever happens."""
    if converter is None:
        yield
        return
    converter.warm_up()
    try:
        yield
    finally:
        converter.close()


class _Feed:
    """Gives each rendered document to the converter as soon as it is written, unless its PDF
    is in the cache: LibreOffice starts on the first documents while the others are rendered
    (issue 17), and an incremental build's changed lists start at once."""

    def __init__(self, analysis: Analysis, pdf_dir: Path, options: _Options):
        assert options.converter is not None  # pdf=True
        self.converter = options.converter
        self.cache = options.cache
        self.options = options
        self.pdf_dir = pdf_dir
        self.total = len(analysis.plans)
        self.keys: list[str] = []
        self.pdf_paths: list[Path] = []
        self.missing: list[Path] = []
        self.hits = 0
        self.stream: ConversionStream | None = None
        self.expected: int | None = None  # documents this build renders (`expect`)
        self.rendered = 0  # of them, given so far
        # a long list whose PDF is missing: only the pages an edit touches are converted
        self.pieces = (ListPieces(self.cache, self.converter.version, pdf_dir, pdf_dir.parent)
                       if self.cache and getattr(self.converter, "exports_row_marks", False)
                       else None)

    def expect(self, rendered: int) -> None:
        """`rendered` documents will be rendered: once the last of them is given, nothing is
        left to wait for and what was submitted is converted at once (an edit's few documents
        go to the LibreOffice started ahead as one batch, not as two with a second start)."""
        self.expected = rendered

    def ready(self, doc: _Rendered) -> None:
        self.rendered += doc.rendered
        target = doc.path if doc.supplied else self.pdf_dir / f"{doc.path.stem}.pdf"
        self.pdf_paths.append(target)
        if self.cache:
            self.keys.append(self.cache.pdf_key(doc.sha256, self.converter.version))
        placed = doc.supplied or (self.cache and not target.is_file() and self._placed(target))
        if placed:
            self.hits += 1
        else:
            if self.stream is None:
                self.stream = open_stream(self.converter, self.pdf_dir, lambda done, _: (
                    self.options.report("convert", self.hits + done, self.total)), self.total)
            self.missing.append(doc.path)
            self.stream.submit(self.pieces.prepare(doc.path, self.keys[-1])
                               if self.pieces else [doc.path])
        all_given = self.expected is not None and self.rendered >= self.expected
        if self.stream is not None and all_given and (doc.rendered or not placed):
            self.stream.flush()  # the last rendered, or one more after it: nothing to wait for

    def _placed(self, target: Path) -> bool:
        """The PDF taken from the cache (its sha256, verified there, kept for the manifest)."""
        assert self.cache is not None
        cached = self.cache.place_pdf(self.keys[-1], target)
        if cached is not None:
            self.options.digests.record(target, cached.sha256)
        return cached is not None

    def finish(self) -> Conversion:
        self.options.report("convert", self.hits, self.total)
        try:
            if self.stream is None:
                return Conversion()
            result = self.stream.finish()
            if self.pieces:
                result = self.pieces.settle(result, self.converter.convert)
            return result
        except ToolError:
            raise_if_disk_full(self.pdf_dir, self.missing)  # the real cause: "ổ đĩa đầy", exit 2
            raise
        finally:
            if self.pieces:
                self.pieces.close()

    def store_list_pages(self) -> None:
        """Record the list documents' pages, for the next build (after their PDFs are stored)."""
        if self.pieces and self.cache:
            self.pieces.store(self.cache.has_pdf)

    def abort(self) -> None:
        try:
            if self.stream is not None:
                self.stream.abort()
        finally:
            if self.pieces:
                self.pieces.close()


def _render_convert_bundle(analysis: Analysis, staging: Path, options: _Options,
                           stats: BuildStats
                           ) -> tuple[list[_Rendered], list[Path], list[int], dict[str, Path]]:
    pdf_dir = staging / "pdf"
    pdf_dir.mkdir()
    feed = _Feed(analysis, pdf_dir, options)
    try:
        docs = _render_all(analysis, staging / "docx", options, stats, feed)
        result = feed.finish()
    except BaseException:
        feed.abort()
        raise
    keys, pdf_paths = feed.keys, feed.pdf_paths
    stats.converted = [doc.stem for doc in feed.missing if doc in result.pdfs]
    if result.failed:
        raise_if_disk_full(pdf_dir, list(result.failed))
        _store_pdfs(options, keys, docs, pdf_paths, set(result.pdfs), None)
        raise_for_failures(result)
    parts = [BundlePart(plan.title, pdf, keys[index] if keys else None)
             for index, (plan, pdf) in enumerate(zip(analysis.plans, pdf_paths, strict=True))]
    counts, bundles = _bundles(analysis, parts, staging, options)
    _store_pdfs(options, keys, docs, pdf_paths, set(feed.missing), counts)
    feed.store_list_pages()
    too_long = page_limit_findings(analysis.plans, counts)
    lists = feed.pieces.documents() if feed.pieces else {}
    at = {doc.path: index for index, doc in enumerate(docs)}
    too_long += submissions_layout_findings(  # issue 14: what cannot be signed as it stands
        analysis.plans, bundles, counts, blocking_only=True, cache=options.cache, keys=keys,
        sources={at[path]: sources for path, sources in lists.items()},
        keep=frozenset(at[path] for path in lists))
    if too_long:
        raise BlockingFindings(too_long)
    return docs, pdf_paths, counts, bundles


def _bundles(analysis: Analysis, parts: list[BundlePart], staging: Path,
             options: _Options) -> tuple[list[int], dict[str, Path]]:
    """Bundle each submission's documents; return every part's page count, in order."""
    campaign = analysis.campaign
    subs = analysis.submissions
    counts: list[int] = [0] * len(parts)
    bundles: dict[str, Path] = {}
    done_before = 0
    for sub in subs:
        indices = [i for i, plan in enumerate(analysis.plans) if plan.submission == sub.id]
        path = staging / bundle_name(campaign, sub.id, len(subs) > 1)
        what = "Hồ sơ khen thưởng" if sub.mode == "decide" else "Hồ sơ đề nghị khen thưởng"
        title = f"{what} – {campaign.name}"
        if len(subs) > 1:
            title += f" ({sub.decider_title})"
        found = bundle([parts[i] for i in indices], path, title,
                       lambda done, n, base=done_before: options.report(
                           "bundle", base + done, len(parts)),
                       chunks=options.cache)
        for index, pages in zip(indices, found, strict=True):
            counts[index] = pages
        bundles[sub.id] = path
        done_before += len(indices)
    return counts, bundles


def _store_pdfs(options: _Options, keys: list[str], docs: list[_Rendered],
                pdf_paths: list[Path], which: set[Path], counts: list[int] | None) -> None:
    """Put the PDFs of the documents in `which` into the cache, with their page counts."""
    cache = options.cache
    if cache is None:
        return
    for index, (key, doc, pdf) in enumerate(zip(keys, docs, pdf_paths, strict=True)):
        if doc.path in which:
            sha256 = cache.put_pdf(key, pdf, counts[index] if counts else page_count(pdf))
            if sha256 is not None:
                options.digests.record(pdf, sha256)


def _doc_date(analysis: Analysis, kind: str) -> dt.date:
    campaign = analysis.campaign
    return {"to_trinh": campaign.to_trinh["date"], "bien_ban": campaign.bien_ban["date"]}.get(
        kind, campaign.bao_cao_date)



def _manifest(analysis: Analysis, staging: Path, docs: list[_Rendered], pdf_paths: list[Path],
              page_counts: list[int], bundles: dict[str, Path], digests: FileDigests) -> dict:
    campaign = analysis.campaign
    documents = []
    for index, (plan, doc) in enumerate(zip(analysis.plans, docs, strict=True)):
        entry = {
            "kind": plan.kind,
            "title": plan.title,
            "nominee_id": plan.nominee_id,
            "template": plan.template or None,
            "docx": None if doc.supplied else doc.path.relative_to(staging).as_posix(),
            "sha256": doc.sha256,
            "required_copies": plan.copies,
            "submission": plan.submission,
        }
        if doc.supplied:
            entry["pdf"] = doc.path.relative_to(staging).as_posix()
            entry["pages"] = page_count(doc.path)
            entry["pdf_sha256"] = doc.sha256
        elif pdf_paths:
            entry["pdf"] = pdf_paths[index].relative_to(staging).as_posix()
            entry["pages"] = page_counts[index]
            entry["pdf_sha256"] = digests.of(pdf_paths[index])  # `dossier sign` checks it
        documents.append(entry)
    pages = sum(page_counts)
    bundle_path = next(iter(bundles.values())) if len(bundles) == 1 else None
    return {
        "campaign": campaign.id,
        "round": campaign.round_id,
        "regime": campaign.regime,
        "as_of": analysis.as_of.isoformat(),
        "required_documents": [
            {"kind": d.kind, "title": d.title, "per": d.per, "copies": d.copies}
            for d in campaign.documents
        ],
        "awardees": len(analysis.selection.awardees),
        "total_prize": sum(a.amount or 0 for a in analysis.selection.awardees),
        # who is in the dossier, for `dossier diff`'s summary (renames, moves, amounts)
        "nominees": [{"id": a.nominee.id, "name": a.nominee.name, "kind": a.nominee.kind,
                      "group": a.group.name, "award": a.award_label, "amount": a.amount}
                     for a in analysis.selection.awardees],
        "documents": documents,
        "bundle": ({"path": bundle_path.name, "sha256": digests.of(bundle_path), "pages": pages}
                   if bundle_path else None),
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message}
                     for f in analysis.findings],
        "regime_choice": campaign.regime_choice,
        "submissions": submission_entries(analysis, documents, page_counts, bundles, digests),
    }


def submission_entries(analysis: Analysis, documents: list[dict], page_counts: list[int],
                       bundles: dict[str, Path], digests: FileDigests) -> list[dict]:
    """manifest.json's `submissions`: per deciding authority, its route, counts, total (in
    figures and words), documents and bundle."""
    entries = []
    for sub in analysis.submissions:
        indices = [i for i, plan in enumerate(analysis.plans) if plan.submission == sub.id]
        path = bundles.get(sub.id)
        entries.append({
            "id": sub.id,
            "mode": sub.mode,
            "decider": sub.decider,
            "decider_title": sub.decider_title,
            "addressee_title": sub.addressee_title,
            "through": list(sub.route.through) if sub.route else [],
            "awardees": len(sub.awardees),
            "tap_the": sum(1 for a in sub.awardees if a.nominee.kind == "tap_the"),
            "ca_nhan": sum(1 for a in sub.awardees if a.nominee.kind == "ca_nhan"),
            "total_prize": sub.total,
            "total_words": money_in_words(sub.total),
            "documents": [documents[i]["docx"] or documents[i].get("pdf") for i in indices],
            "bundle": ({"path": path.name, "sha256": digests.of(path),
                        "pages": sum(page_counts[i] for i in indices)} if path else None),
        })
    return entries


def _swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` atomically (renameat2 exchange, or two renames with recovery
    of a leftover `.old` at the next start): see `atomic_output`. `build` goes through
    `atomic_output.replacing`, which also locks, recovers and cleans up."""
    atomic_output.swap_into_place(staging, out)
