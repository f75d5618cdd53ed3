"""Memory and time of the case export (CSV and XLSX) of a million cases, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/export.py

The script

1. uses bench/case_list.py's database: creates it if missing, migrates it, loads the directory
   and the catalogues, and makes the case table hold --cases rows (default 1,000,000; reused
   when the count matches, else every case is replaced, as case_list.py does);
2. runs, each in a fresh child process: a baseline that only sets up Django, imports the export
   code and connects to the database as a resolution user (who sees every case); then the
   unfiltered export of every case in each --formats, through `export_response`, the function
   the export view (GET /casos/exportar/) calls, with its response read to the end;
3. prints, per child, its peak resident memory (the kernel's ru_maxrss from wait4, and the
   child's own VmHWM), its resident memory sampled through the run, the rows written, the bytes
   sent, the seconds and the time to the first byte; and checks the XLSX peak against
   --limit-mb (300). Results also go to bench/results/export.json (not in git).

Exit status 1 when a peak is over the limit; 2 on anything but PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench.case_list import (  # noqa: E402 - the same database, schema and cases
    bench_user,
    database_settings,
    ensure_cases,
    ensure_database,
    prepare_schema,
    say,
)

RESULTS = ROOT / "bench" / "results" / "export.json"
MODES = ("baseline", "csv", "xlsx")
SAMPLE_SECONDS = 0.5
MIB = 1024 * 1024


# --- The child --------------------------------------------------------------------------------
def proc_status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB (VmRSS: now; VmHWM: the peak so far)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"/proc/self/status has no {field}")


class Sampler(threading.Thread):
    """Reads the resident memory every SAMPLE_SECONDS while the export runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []
        self.started = time.perf_counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.samples.append((time.perf_counter() - self.started, proc_status_kib("VmRSS")))


class AuditRows(logging.Handler):
    """Keeps the row count of the export's own audit line ("case export finished ...")."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: int | None = None

    def emit(self, record: logging.LogRecord) -> None:
        found = re.match(r"case export finished: .* rows=(\d+)", record.getMessage())
        if found:
            self.rows = int(found[1])


def child(mode: str) -> dict[str, Any]:
    """One measured process: Django set up, the export code imported, the database connected;
    then, unless this is the baseline, one export read to its end."""
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    from enlace.accounts.models import User
    from enlace.cases.exports import ExportFormat, export_response
    from enlace.cases.queries import CaseFilters

    translation.activate(settings.LANGUAGE_CODE)
    connection.ensure_connection()
    user = User.objects.get(username="bench.resolucion")
    result: dict[str, Any] = {"mode": mode, "setup_vmhwm_kib": proc_status_kib("VmHWM")}
    if mode == "baseline":
        result["vmhwm_kib"] = proc_status_kib("VmHWM")
        return result

    audit = AuditRows()
    logging.getLogger("enlace.audit").addHandler(audit)
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    response = export_response(user, CaseFilters(), ExportFormat(mode), described="(bench)")
    sent = 0
    first_byte: float | None = None
    head = b""
    for chunk in response:
        if first_byte is None:
            first_byte = time.perf_counter() - started
            head = bytes(chunk[:4])
        sent += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    result.update(
        rows=audit.rows,
        bytes=sent,
        seconds=seconds,
        first_byte_seconds=first_byte,
        head=head.hex(),
        samples_kib=sampler.samples,
        vmhwm_kib=proc_status_kib("VmHWM"),
        content_type=response["Content-Type"],
    )
    return result


# --- The parent -------------------------------------------------------------------------------
def run_child(mode: str) -> dict[str, Any]:
    """Runs `bench/export.py --child MODE` and returns what it printed, with the kernel's peak
    resident memory of that one process (wait4's ru_maxrss, KiB on Linux)."""
    process = subprocess.Popen(  # noqa: S603 - our own script, by its path
        [sys.executable, str(Path(__file__).resolve()), "--child", mode],
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {mode} child failed (exit status {process.returncode})")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    result["ru_maxrss_kib"] = usage.ru_maxrss
    return result


def mib(kib: float) -> float:
    return kib / 1024


def at_share(samples: list[list[float]], share: float) -> str:
    if not samples:
        return "-"
    return f"{mib(samples[min(len(samples) - 1, int(share * len(samples)))][1]):.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to hold (1,000,000)")
    parser.add_argument(
        "--formats", nargs="+", choices=("csv", "xlsx"), default=["xlsx", "csv"], help="to time"
    )
    parser.add_argument(
        "--limit-mb", type=float, default=300, help="peak MiB allowed for the XLSX (300)"
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args.child)), flush=True)
        return 0

    django.setup()
    from django.conf import settings
    from django.db import connection

    from enlace.cases.exports import CHUNK_SIZE

    db = database_settings()
    ensure_database(db)
    prepare_schema()
    ensure_cases(args.cases, regenerate=False)
    bench_user()
    connection.close()  # the children open their own

    say(
        f"\nDEBUG={settings.DEBUG}, rows fetched {CHUNK_SIZE:,} at a time; each figure is one "
        "fresh child process."
    )
    results = [run_child("baseline")]
    base = results[0]
    say(
        f"  baseline: peak {mib(base['ru_maxrss_kib']):.1f} MiB "
        f"(Django set up, export code imported, database connected)"
    )
    for export_format in args.formats:
        say(f"  exporting every case as {export_format.upper()} ...")
        results.append(run_child(export_format))

    say()
    header = (
        f"{'child':<9} {'rows':>10} {'MiB sent':>9} {'seconds':>8} {'1st byte':>9} "
        f"{'rows/s':>8} {'peak MiB':>9} {'VmHWM':>7} {'over base':>10} "
        f"{'RSS at 10/50/90 %':>18}"
    )
    say(header)
    say("-" * len(header))
    over_limit = []
    for result in results:
        peak = mib(result["ru_maxrss_kib"])
        growth = peak - mib(base["ru_maxrss_kib"])
        if result["mode"] == "baseline":
            say(
                f"{'baseline':<9} {'':>10} {'':>9} {'':>8} {'':>9} {'':>8} {peak:>9.1f} "
                f"{mib(result['vmhwm_kib']):>7.1f} {'':>10} {'':>18}"
            )
            continue
        samples = result["samples_kib"]
        curve = "/".join(at_share(samples, share) for share in (0.1, 0.5, 0.9))
        say(
            f"{result['mode']:<9} {result['rows']:>10,} {result['bytes'] / MIB:>9.1f} "
            f"{result['seconds']:>8.1f} {result['first_byte_seconds']:>9.2f} "
            f"{result['rows'] / result['seconds']:>8,.0f} {peak:>9.1f} "
            f"{mib(result['vmhwm_kib']):>7.1f} {growth:>+10.1f} {curve:>18}"
        )
        if result["mode"] == "xlsx" and peak >= args.limit_mb:
            over_limit.append(f"XLSX peak {peak:.1f} MiB >= {args.limit_mb:.0f} MiB")
    say(
        "peak MiB: the child's peak resident memory as the kernel counts it (wait4 ru_maxrss);\n"
        "VmHWM: the same, as the child read it from /proc/self/status at its end; over base: "
        "peak\nminus the baseline child's; RSS at 10/50/90 %: resident MiB sampled at those "
        "points of\nthe run. 1st byte: seconds until the response's first chunk (for the XLSX, "
        "the whole\nworkbook is written to a temporary file first)."
    )
    for result in results[1:]:
        expected = "504b0304" if result["mode"] == "xlsx" else "efbbbf"  # zip / UTF-8 BOM
        if not result["head"].startswith(expected):
            over_limit.append(f"{result['mode']}: the file does not start with {expected}")
    if over_limit:
        for problem in over_limit:
            say(f"!!! {problem}")
    else:
        say(f"The XLSX export stayed under {args.limit_mb:.0f} MiB.")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": datetime.now().astimezone().isoformat(),
        "database": db["NAME"],
        "debug": settings.DEBUG,
        "chunk_size": CHUNK_SIZE,
        "limit_mib": args.limit_mb,
        "children": results,
        "problems": over_limit,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    say(f"Results written to {RESULTS.relative_to(ROOT)}.")
    return 1 if over_limit else 0


if __name__ == "__main__":
    sys.exit(main())
