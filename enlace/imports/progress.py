"""A progress bar for imports run on a terminal."""

from __future__ import annotations

import time
from typing import TextIO

from django.utils.translation import gettext as _

from enlace.imports.actions import Phase


class TerminalProgress:
    """`\\r`-redrawn line: phase, bar, percentage, rows per second. Drawn at most 5 times a
    second, and only when the stream is a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.drawn = 0.0
        self.rows = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = total and done >= total
        if not final and now - self.drawn < 0.2:
            return
        self.drawn = now
        share = min(done / total, 1.0) if total else 0.0
        filled = int(share * self.WIDTH)
        label = _("Reading") if phase == Phase.READING else _("Saving")
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        elapsed = now - self.started
        self.stream.write(f"\r{label:<10} {bar} {share:6.1%}  {elapsed:6.1f} s")
        self.stream.flush()
        if final and phase == Phase.SAVING:
            self.stream.write("\n")
