"""A LibreOffice instance started ahead of the first batch, so that a batch costs the start of a
thin client (~0.3 s) instead of LibreOffice's own (~1.5 s here).

LibreOffice lets one process serve a profile: a second `soffice --convert-to …` with the same
`-env:UserInstallation` hands its request to the running one over a local pipe and waits until
the documents are converted; the instance then ends (LibreOffice 7.4 quits after serving a
conversion, whatever the options: measured), so an instance serves one batch. `dossier build`
starts one on the first worker's profile while it reads the campaign and renders: the first
batch, often the only one of an incremental build, finds it up. If the client wins the race
(a new profile makes LibreOffice restart once), it serves itself and the instance hands over
nothing and exits: either way one process converts, as before.

The instance prints LibreOffice's progress lines ("convert …", "Error: …"); they are passed to
the batch that runs (`listener`), which watches them for hangs as it watches a batch's own.

An idle instance would live for ever if dossier died, so it runs under a watchdog: a small
Python process, leader of its own process group, that kills the whole group when its standard
input reaches end of file (dossier closed the pipe, or died: SIGKILL included, the kernel
closes it) or when LibreOffice ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

WATCHDOG = """
import os, signal, subprocess, sys, threading
office = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
def watch():
    sys.stdin.buffer.read()
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
office.wait()
os.killpg(0, signal.SIGKILL)
"""


# A batch runs under the same kind of watchdog, which must also report LibreOffice's exit
# status: LibreOffice runs in a process group of its own, which the watchdog kills when its
# standard input ends (dossier died or stops the batch) and, for any helper left, when
# LibreOffice ends; then it exits with LibreOffice's status (128 + signal when killed).
# oosplash restarts soffice.bin (a new profile, a crash): the restarted one is in the group too.
BATCH_WATCHDOG = """
import os, signal, subprocess, sys, threading
office = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, process_group=0)
def end(code):
    try:
        os.killpg(office.pid, signal.SIGKILL)
    except OSError:
        pass
    os._exit(code)
def watch():
    sys.stdin.buffer.read()
    end(128 + signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
code = office.wait()
end(code if code >= 0 else 128 - code)
"""


def watched(command: list[str]) -> list[str]:
    """`command` under the batch watchdog: start it with stdin=PIPE, in a session of its own,
    and keep the pipe open while the batch may run (see `stop_watched`)."""
    return [sys.executable, "-I", "-S", "-c", BATCH_WATCHDOG, *command]


def stop_watched(process: subprocess.Popen) -> None:
    """Stop a watched command and everything it started, and reap the watchdog: closing its
    input makes it kill LibreOffice's group; its own group is killed if it lingers."""
    with contextlib.suppress(OSError):
        process.stdin.close()  # type: ignore[union-attr]
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def office_command(soffice: str, profile: Path) -> list[str]:
    """soffice with a private profile, headless, asking nothing."""
    return [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
            "--nologo", "--nodefault", "--norestore", "--nolockcheck"]


class OfficeInstance:
    """LibreOffice serving `profile` until `stop`, under a watchdog (see the module)."""

    def __init__(self, soffice: str, profile: Path):
        self.profile = profile
        self.listener: Callable[[str], None] | None = None
        self.served = 0  # documents it converted ("convert …" lines)
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", WATCHDOG, *office_command(soffice, profile)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def alive(self) -> bool:
        return self._process.poll() is None

    def _read(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode(errors="replace").strip()
            self.served += line.startswith("convert ")
            listener = self.listener
            if listener is not None:
                listener(line)

    def stop(self, grace_s: float = 0) -> None:
        """Let the instance end by itself for up to `grace_s` (it quits after serving a batch,
        writing its profile), then kill it, its helpers and the watchdog (one process group)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=grace_s)
        with contextlib.suppress(OSError):
            self._process.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=10)
        self._reader.join(timeout=5)
