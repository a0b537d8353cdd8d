"""The local converter: a pool of headless LibreOffice workers converting batches.

- `jobs` workers (default: the cores we may use), each with its own profile directory
  (-env:UserInstallation), so they run side by side without touching the user's settings.
- Documents are cut into batches taken from a shared queue, large first and shrinking toward
  the end (`plan`): one soffice start per batch, few batches, workers that finish together.
  The build feeds the pool while it renders (`stream`): a worker starts as soon as enough
  pages wait (`MIN_BATCH_PAGES`, or whatever waits once the build flushes the stream: it has
  given the last document it renders), and each batch takes its worker's share of what is
  waiting then.
  `warm_up` starts LibreOffice for the first batch while the build is still reading and
  rendering (`office_instance`), which takes its start out of an incremental build.
- Every batch runs under a watchdog (`office_instance.watched`), LibreOffice in a process
  group of its own: when dossier stops the batch or dies (even by SIGKILL, when nothing of
  dossier runs any more), the whole group is killed, so no LibreOffice outlives the build or
  writes into its abandoned staging folder. It has a deadline scaled by the
  estimated page count of its documents, and a stall limit: LibreOffice prints a line per
  document, and a document that takes longer than its allowance counts as a hang.
- On a hang or a crash the whole process group is killed (by the batch's own pid, never by
  name), the worker's profile is reset, the documents already converted are kept, and the
  rest is queued again: the first missing document alone (LibreOffice converts in order, so
  it is the suspect) and the others split in halves, until the bad document is alone: it is
  reported by name, the others are converted. Documents LibreOffice went through but could
  not open (it says so and goes on) are reported at once; documents it skipped (it silently
  ignores the files after about the 247th of one call) are queued again.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dossier.convert.converter import (
    PDF_A_EXPORT,
    PDF_A_TAG,
    PROFILE_SPACE,
    Conversion,
    Converted,
    Progress,
    Timeouts,
    check_fonts,
    convert_through,
    default_jobs,
    estimate_pages,
    find_soffice,
    pdf_complete,
)
from dossier.convert.office_instance import (
    OfficeInstance,
    office_command,
    stop_watched,
    watched,
)
from dossier.errors import ToolError

MAX_BATCH = 200  # LibreOffice 7.4 silently ignores the files after about the 247th of a call
# A batch's LibreOffice start (~1.5 s here) pays off over ~7 s of work (~120 pages): smaller
# batches only where the end of the run needs them
MIN_BATCH_PAGES = 120
MAX_FAILURES = 10
# A waiting worker looks at the queue again at least this often (it is woken by every change)
WAKE_S = 0.25
POLL_S = 0.1


@dataclass
class _Batch:
    documents: list[Path]
    pages: list[int]

    def halves(self) -> list[_Batch]:
        middle = len(self.documents) // 2
        return [_Batch(self.documents[:middle], self.pages[:middle]),
                _Batch(self.documents[middle:], self.pages[middle:])]


@dataclass
class _Outcome:
    done: list[Path]
    missing: list[Path]
    reason: str  # why the missing ones are missing
    broken: bool  # hung or crashed: the profile may be damaged
    attempted: int  # documents LibreOffice reported on (converted or "Error:"), in order


class _Output:
    """Reads a batch's output as it comes; counts the documents LibreOffice reports."""

    def __init__(self, stream: io.BufferedReader, on_document):
        self.started = 0
        self.errors = 0
        self.last = time.monotonic()
        self.tail: deque[str] = deque(maxlen=20)
        self._on_document = on_document
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: io.BufferedReader) -> None:
        for raw in stream:
            self.feed(raw.decode(errors="replace").strip())

    def feed(self, line: str) -> None:
        """One line of LibreOffice's output: the batch's own, or its warm instance's."""
        self.tail.append(line)
        if line.startswith("convert "):
            self.started += 1
            self.last = time.monotonic()
            self._on_document()
        elif line.startswith("Error:"):  # "Error: source file could not be loaded"
            self.errors += 1
            self.last = time.monotonic()

    def join(self) -> None:
        self._thread.join(timeout=5)


@dataclass
class _State:
    """What the workers share, under `lock`."""

    total: int  # documents expected (more may be submitted: `submitted` counts them)
    progress: Progress | None
    max_failures: int
    on_file: Converted | None = None
    on_take: Callable[[], None] | None = None  # a worker took a batch
    queue: deque[_Batch] = field(default_factory=deque)  # batches to run again, first
    pending: deque[tuple[Path, int]] = field(default_factory=deque)  # (document, pages)
    open: bool = True  # more documents may be submitted
    flushed: bool = False  # convert what waits without waiting for more (`PoolStream.flush`)
    submitted: int = 0
    active: int = 0
    confirmed: int = 0
    live: int = 0
    aborted: bool = False
    result: Conversion = field(default_factory=Conversion)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def report(self) -> None:
        if self.progress:
            total = max(self.total, self.submitted)
            self.progress(min(total, self.confirmed + self.live), total)


class LocalPool:
    """Converter back-end: `jobs` local LibreOffice workers."""

    def __init__(self, jobs: int | None = None, *, soffice: str | None = None,
                 profile_root: Path | None = None, timeouts: Timeouts | None = None,
                 max_batch: int = MAX_BATCH, min_batch_pages: int = MIN_BATCH_PAGES,
                 max_failures: int = MAX_FAILURES, pdf_a: bool = False,
                 export_filter: str = "pdf"):
        self.jobs = max(1, jobs or default_jobs())
        self.pdf_a = pdf_a  # PDF/A-2b instead of plain PDF
        self.soffice = soffice
        # absolute: LibreOffice takes its profile as a file:// URI (--cache-dir may be relative)
        self.profile_root = profile_root.absolute() if profile_root is not None else None
        self.timeouts = timeouts or Timeouts()
        self.max_batch = max_batch
        self.min_batch_pages = min_batch_pages
        self.max_failures = max_failures
        self.export_filter = export_filter  # --convert-to's argument: "pdf" or with options
        self._version: str | None = None
        self._font: str | None = None
        self._instances: dict[Path, OfficeInstance] = {}  # warm instances, by profile
        self._held: dict[Path, int] = {}  # profiles locked from `warm_up` to `close`
        self._learning = False  # `_learn_version` started
        self._lock = threading.Lock()  # guards both against `close` during a conversion

    def check(self) -> None:
        self.soffice = self.soffice or find_soffice()
        self._font = self._font or check_fonts()

    @property
    def version(self) -> str:
        if self._version is None:
            self.check()
            assert self.soffice is not None
            printed = subprocess.run([self.soffice, "--version"], capture_output=True, text=True,
                                     timeout=120, check=False).stdout.strip()
            self._version = f"{printed or self.soffice}; font: {self._font}" + (
                f"; {PDF_A_TAG}" if self.pdf_a else "")
        return self._version

    def warm_up(self) -> None:
        """Start LibreOffice on the first worker's profile now, in the background, so that it
        is ready when the first batch comes (see `office_instance`). Only on a kept profile
        (`profile_root`) that LibreOffice has already set up; anything that goes wrong here is
        left for `convert` to report. Does nothing while a warm instance waits; the fonts are
        checked beside it (`_learn_version`), not before it starts."""
        try:
            self._start_instance()
        finally:
            # the version names the cache's PDFs: asked of LibreOffice now (once), not by the
            # first document rendered; after the instance has started, not before it
            if not self._learning:
                self._learning = True
                threading.Thread(target=self._learn_version, daemon=True).start()

    def _start_instance(self) -> None:
        if self._instances or self._usable_profile_root() is None:
            return
        try:
            self.soffice = self.soffice or find_soffice()  # the fonts: by `_learn_version`
            profile, lock = self._lock_free_profile(set())
            if not (profile / "user" / "registrymodifications.xcu").is_file():
                os.close(lock)  # a new profile: LibreOffice restarts once to set it up, and
                return  # a batch arriving meanwhile would race it for the profile
            self._held[profile] = lock
            assert self.soffice is not None
            self._instances[profile] = OfficeInstance(self.soffice, profile)
        except (ToolError, OSError):
            return

    def _learn_version(self) -> None:
        with contextlib.suppress(ToolError, OSError, subprocess.SubprocessError):
            self.version  # noqa: B018 (a property that asks LibreOffice once)

    def close(self) -> None:
        """Stop the warm instances and release their profiles. Safe while workers still run
        (Ctrl-C): they take their instance out under the same lock."""
        with self._lock:
            instances = list(self._instances.values())
            self._instances.clear()
            held = list(self._held.values())
            self._held.clear()
        for instance in instances:
            instance.stop()
        for lock in held:
            with contextlib.suppress(OSError):
                os.close(lock)

    def plan(self, documents: list[Path]) -> list[_Batch]:
        """Batches in document order, by guided self-scheduling: each takes about 1/jobs of the
        pages still to convert (estimated from the documents' size), at least
        `min_batch_pages` and at most `max_batch` documents. Batches shrink toward the end, so
        the workers finish together instead of one waiting on the other's last long batch."""
        pending = deque((d, estimate_pages(d)) for d in documents)
        batches = []
        while pending:
            batches.append(self._cut(pending))
        return batches

    def _cut(self, pending: deque[tuple[Path, int]]) -> _Batch:
        """The next batch from the front of `pending` (taken out of it)."""
        remaining = sum(pages for _, pages in pending)
        target = max(remaining / self.jobs, self.min_batch_pages)
        if remaining - target < self.min_batch_pages / 2:
            target = remaining  # no crumb of a batch at the end
        documents: list[Path] = []
        counts: list[int] = []
        weight = 0
        # a document joins the batch if its middle falls within the target: two long lists
        # in a row go to two workers, not one after the other on the same worker
        while (pending and len(documents) < self.max_batch
               and (not documents or weight + pending[0][1] / 2 <= target)):
            document, pages = pending.popleft()
            documents.append(document)
            counts.append(pages)
            weight += pages
        return _Batch(documents, counts)

    def convert(self, documents: list[Path], out_dir: Path,
                progress: Progress | None = None) -> Conversion:
        if not documents:
            return Conversion()
        return convert_through(self.stream(out_dir, progress, len(documents)), documents)

    def stream(self, out_dir: Path, progress: Progress | None = None, expected: int = 0,
               on_file: Converted | None = None) -> PoolStream:
        """A conversion fed document by document (see `PoolStream`); `on_file(document, pdf)`
        is called, in a worker's thread, for each document as soon as its PDF is complete."""
        return PoolStream(self, out_dir, _State(expected, progress, self.max_failures, on_file))

    @contextlib.contextmanager
    def _profiles(self, count: int) -> Iterator[list[Path]]:
        """A profile folder per worker: temporary, or kept under `profile_root` (a profile
        LibreOffice has already set up starts faster), each locked while a worker uses it."""
        if self._usable_profile_root() is None:
            root = Path(tempfile.mkdtemp(prefix="dossier-lo-"))
            try:
                yield [root / f"worker-{i}" for i in range(count)]
            finally:
                shutil.rmtree(root, ignore_errors=True)
            return
        profiles = list(self._held)[:count]  # warm ones first, already ours
        locks: list[int] = []
        try:
            while len(profiles) < count:
                profile, lock = self._lock_free_profile(set(profiles))
                locks.append(lock)
                profiles.append(profile)
            yield profiles
        finally:
            for lock in locks:
                os.close(lock)  # releases the lock

    def _usable_profile_root(self) -> Path | None:
        """`profile_root`, created; None (temporary profiles from now on) when there is none, it
        cannot be created (a broken cache folder) or its disk is full."""
        if self.profile_root is not None:
            try:
                self.profile_root.mkdir(parents=True, exist_ok=True)
                facts = os.statvfs(self.profile_root)
                if facts.f_bavail * facts.f_frsize < PROFILE_SPACE:  # a full disk
                    self.profile_root = None
            except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
                self.profile_root = None
        return self.profile_root

    def _lock_free_profile(self, taken: set[Path]) -> tuple[Path, int]:
        """The first worker profile under `profile_root` that no build uses, locked."""
        assert self.profile_root is not None
        index = 0
        while True:
            profile = self.profile_root / f"worker-{index}"
            if profile not in taken:
                lock = _try_lock(self.profile_root / f"worker-{index}.lock")
                if lock is not None:
                    return profile, lock
            index += 1

    def _work(self, state: _State, profile: Path, out_dir: Path) -> None:
        while (batch := self._next(state)) is not None:
            requeue: list[_Batch] = []
            try:
                outcome = self._run(batch, profile, out_dir, state)
                if outcome.broken and not state.aborted:
                    shutil.rmtree(profile, ignore_errors=True)  # restart on a fresh profile
                requeue = self._settle(state, batch, outcome, out_dir)
                if state.on_file is not None and not state.aborted:
                    for doc in outcome.done:
                        state.on_file(doc, out_dir / f"{doc.stem}.pdf")
            except OSError as exc:  # soffice could not even be started: fail the batch
                with state.lock:
                    for doc in batch.documents:
                        state.result.failed[doc] = f"không chạy được LibreOffice: {exc}"
                    state.aborted = len(state.result.failed) > state.max_failures
            finally:
                with state.lock:
                    state.queue.extendleft(reversed(requeue))
                    state.active -= 1
                    state.lock.notify_all()

    def _next(self, state: _State) -> _Batch | None:
        """The next batch: one to run again, else a cut of the documents submitted. While more
        may come, a worker waits for `min_batch_pages` of them (a LibreOffice start pays off
        over that many), or until the stream is flushed: the build has given the last document
        it renders (an incremental build's few documents, submitted between many taken from
        the cache, go together to the LibreOffice started ahead)."""
        with state.lock:
            while not state.aborted:
                if state.queue:
                    batch: _Batch | None = state.queue.popleft()
                elif state.pending and self._enough(state):
                    # what is still to be submitted is unknown: each batch takes its share of
                    # what is known, and the batches shrink as the submissions end
                    batch = self._cut(state.pending)
                else:
                    batch = None
                if batch is not None:
                    state.active += 1
                    if state.on_take is not None:
                        state.on_take()  # the next worker starts: there is work
                    return batch
                if not (state.open or state.pending or state.active):
                    return None
                state.lock.wait(timeout=WAKE_S)
            return None

    def _enough(self, state: _State) -> bool:
        if not state.open or state.flushed:
            return True
        return sum(count for _, count in state.pending) >= self.min_batch_pages

    @staticmethod
    def _settle(state: _State, batch: _Batch, outcome: _Outcome, out_dir: Path) -> list[_Batch]:
        with state.lock:
            for doc in outcome.done:
                state.result.pdfs[doc] = out_dir / f"{doc.stem}.pdf"
            state.confirmed += len(outcome.done)
            state.report()
            if not outcome.missing:
                return []
            if outcome.broken and len(outcome.missing) > 1:
                return _isolate(batch, outcome.missing)
            # alone, or LibreOffice ended normally: it reported on the first `attempted`
            # documents (those missing could not be opened) and skipped the rest, if any
            tried = set(batch.documents[:outcome.attempted or len(batch.documents)])
            for doc in outcome.missing:
                if doc in tried or outcome.broken:
                    state.result.failed[doc] = outcome.reason
            state.aborted = len(state.result.failed) > state.max_failures
        untried = [d for d in outcome.missing if d not in state.result.failed]
        return [_Batch(untried, [estimate_pages(d) for d in untried])] if untried else []

    def _run(self, batch: _Batch, profile: Path, out_dir: Path, state: _State) -> _Outcome:
        pdfs = [out_dir / f"{doc.stem}.pdf" for doc in batch.documents]
        for pdf in pdfs:
            pdf.unlink(missing_ok=True)
        command = [*office_command(str(self.soffice), profile), "--convert-to",
                   PDF_A_EXPORT if self.pdf_a else self.export_filter,
                   "--outdir", str(out_dir), *map(str, batch.documents)]
        # under a watchdog: nothing of the batch outlives dossier, even killed (SIGKILL)
        process = subprocess.Popen(watched(command), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)

        def on_document() -> None:
            with state.lock:
                state.live += 1
                state.report()

        output = _Output(process.stdout, on_document)  # type: ignore[arg-type]
        with self._lock:
            instance = self._instances.pop(profile, None)
        if instance is not None:
            instance.listener = output.feed  # it converts if it is up: its lines are ours
        try:
            hung = self._wait(process, output, batch, state)
        finally:
            kill_group(process)  # whatever happened, nothing of this batch outlives it
            if instance is not None:  # it served this batch (or lost the race): it is done
                instance.listener = None
                instance.stop(grace_s=0 if hung else 10)  # if it hung, it may be the cause
            output.join()
        with state.lock:
            state.live -= output.started
        done = [d for d, pdf in zip(batch.documents, pdfs, strict=True) if pdf_complete(pdf)]
        missing = [d for d in batch.documents if d not in set(done)]
        return _Outcome(done, missing, self._reason(hung, process.returncode, output),
                        bool(hung) or process.returncode != 0, output.started + output.errors)

    def _wait(self, process: subprocess.Popen, output: _Output, batch: _Batch,
              state: _State) -> str:
        """Wait for the batch; return "" when it ended, or why it was stopped."""
        start = time.monotonic()
        deadline = start + self.timeouts.batch(batch.pages)
        while process.poll() is None:
            if state.aborted:
                return "dừng theo yêu cầu"  # "stopped as asked" (the build failed)
            now = time.monotonic()
            current = min(output.started, len(batch.pages) - 1)
            allowance = self.timeouts.document(max(batch.pages[max(0, current - 1):current + 1]))
            since = output.last if output.started else start + self.timeouts.startup_s
            if now > deadline:
                return f"quá thời gian cả lô {deadline - start:.0f} giây"  # batch deadline
            if now - since > allowance:
                return f"treo quá {allowance:.0f} giây"  # hung longer than the allowance
            time.sleep(POLL_S)
        return ""

    @staticmethod
    def _reason(hung: str, returncode: int | None, output: _Output) -> str:
        if hung:
            return f"LibreOffice {hung}"
        if returncode:
            detail = " | ".join(line for line in output.tail if line)[-300:]
            # "LibreOffice stopped abnormally (code …)"
            return f"LibreOffice dừng bất thường (mã {returncode}){': ' + detail if detail else ''}"
        return "LibreOffice không mở được tệp"  # "LibreOffice could not open the file"


class PoolStream:
    """A conversion fed while the build renders (`LocalPool.stream`): the workers start with
    the first documents submitted and take batches as they come; `finish` waits for them.

    The first worker (on the warm profile, if any) starts with the first document; each other
    one only when the one before it has taken a batch: a rebuild that converts one document
    has it converted by the LibreOffice started ahead, never by a second one started for it."""

    def __init__(self, pool: LocalPool, out_dir: Path, state: _State):
        self.pool = pool
        self.out_dir = out_dir
        self.state = state
        self._stack = contextlib.ExitStack()
        self._workers: list[threading.Thread] = []
        self._profiles: list[Path] = []
        state.on_take = self._one_more

    def submit(self, documents: list[Path]) -> None:
        if not documents:
            return
        if not self._workers:
            self._start()
        pages = [estimate_pages(d) for d in documents]
        state = self.state
        with state.lock:
            state.pending.extend(zip(documents, pages, strict=True))
            state.submitted += len(documents)
            state.lock.notify_all()

    def flush(self) -> None:
        with self.state.lock:
            self.state.flushed = True
            self.state.lock.notify_all()

    def _start(self) -> None:
        self.pool.check()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._profiles = self._stack.enter_context(self.pool._profiles(self.pool.jobs))
        self._one_more()

    def _one_more(self) -> None:
        """Start the next worker, if any is left (called under the state's lock, or before any
        worker runs)."""
        if len(self._workers) < len(self._profiles):
            worker = threading.Thread(target=self.pool._work, daemon=True, args=(
                self.state, self._profiles[len(self._workers)], self.out_dir))
            self._workers.append(worker)
            worker.start()

    def finish(self) -> Conversion:
        state = self.state
        with state.lock:
            state.open = False
            state.lock.notify_all()
        self._join()
        if state.aborted:
            failed = "; ".join(f"{d.name} ({r})" for d, r in state.result.failed.items())
            # "LibreOffice failed on too many documents, stopped: …"
            raise ToolError(f"LibreOffice lỗi với quá nhiều văn bản (hơn "
                            f"{self.pool.max_failures}), đã dừng: {failed}")
        return state.result

    def abort(self) -> None:
        with self.state.lock:
            self.state.open = False
            self.state.aborted = True
            self.state.lock.notify_all()
        self._join()

    def _join(self) -> None:
        for worker in self._workers:
            worker.join()
        self._stack.close()


def _isolate(batch: _Batch, missing: list[Path]) -> list[_Batch]:
    """After a hang or crash: LibreOffice works in order, so the first missing document is the
    suspect; retry it alone, and the others split in halves (a wrong guess still converges)."""
    pages = dict(zip(batch.documents, batch.pages, strict=True))
    suspect, rest = missing[0], missing[1:]
    retry = [_Batch([suspect], [pages[suspect]])]
    if rest:
        retry += [half for half in _Batch(rest, [pages[d] for d in rest]).halves()
                  if half.documents]
    return retry


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding an exclusive lock on `path`, or None if another holds it."""
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        return None
    return handle


def kill_group(process: subprocess.Popen) -> None:
    """Kill a batch (its watchdog, LibreOffice and every helper) and reap the watchdog."""
    stop_watched(process)
