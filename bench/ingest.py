"""Benchmark: a 200,000-row handoff CSV through Seamline's import path, against PostgreSQL COPY.

ours  = rows/s through `import_csv` (decode, validate, business-hour stamping, upsert).
floor = rows/s of `COPY … FROM STDIN (FORMAT csv)` of the same file into a scratch table:
        what the database itself can take, with none of our checks.
ratio = ours ÷ COPY (higher is better; target 0.33).
write = rows/s of a plain INSERT … SELECT of the imported rows into a scratch table with the
        handoff table's indexes and constraints: the storage's own cost, a ceiling for any import.
Memory: peak RSS growth for a 50,000-row file and for the 200,000-row one. The import reads in
chunks, so the two should be close: memory must not grow with the file.

Runs on DATABASE_URL (PostgreSQL). Everything it creates is rolled back at the end.
    python bench/ingest.py [--rows 200000]
"""

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from seams.csv_import import import_csv  # noqa: E402
from seams.handoff_rules import CSV_COLUMNS  # noqa: E402
from seams.models import Calendar, HandoffSpec, Seam, Team  # noqa: E402

TARGET = 0.33


def write_csv(path: Path, rows: int, seam_slug: str) -> None:
    start = timezone.now() - timedelta(days=360)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(CSV_COLUMNS)
        for n in range(rows):
            submitted = start + timedelta(minutes=2 * n % (60 * 24 * 350))
            started = submitted + timedelta(hours=1 + n % 40)
            completed = started + timedelta(hours=2 + n % 30) if n % 5 else None
            out.writerow(
                [
                    seam_slug,
                    f"B-{n:07d}",
                    f"Bench handoff {n}",
                    ("standard", "expedited")[n % 2],
                    submitted.isoformat(),
                    started.isoformat(),
                    completed.isoformat() if completed else "",
                    (n % 3 == 0 and 1) or 0,
                ]
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_rows(path: Path, source: str) -> tuple[float, int]:
    started = time.perf_counter()
    with path.open("rb") as stream:
        outcome = import_csv(stream, source=source, partial=False, size=path.stat().st_size)
    if not outcome.written or outcome.rejected:
        sys.exit(f"The benchmark file was rejected: {outcome.errors[:3]}")
    return time.perf_counter() - started, outcome.created


def copy_rows(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (seam text, external_id text, title text, "
            "approval_type text, submitted_at timestamptz, started_at timestamptz, "
            "completed_at timestamptz, returned_count integer) ON COMMIT DROP"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        return time.perf_counter() - started


def write_rows(source: str) -> float:
    """The storage's own cost: the imported rows written again, unchecked, by one INSERT …
    SELECT into a scratch table shaped like the handoff table (its indexes and constraints)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_handoffs (LIKE seams_handoff INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_handoffs SELECT * FROM seams_handoff WHERE source = %s", [source]
        )
        return time.perf_counter() - started


# Long: the benchmark's steps in the order they run, each printing its figure.
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this with DATABASE_URL pointing at PostgreSQL: it compares with COPY.")
    results = {}
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        sales = Team.objects.create(name="Bench sales", slug="bench-sales")
        product = Team.objects.create(name="Bench product", slug="bench-product")
        seam = Seam.objects.create(
            name="Bench seam",
            slug="bench-seam",
            from_team=sales,
            to_team=product,
            calendar=Calendar.objects.create(
                slug="bench-office",
                name="Bench office",
                time_zone="Europe/London",
                working_weekdays=[1, 2, 3, 4, 5],
                day_start=clock(9),
                day_end=clock(17, 30),
            ),
        )
        HandoffSpec.objects.create(seam=seam, version=1, response_sla_hours=16)
        small, big = Path(folder) / "small.csv", Path(folder) / "big.csv"
        write_csv(small, args.rows // 4, seam.slug)
        write_csv(big, args.rows, seam.slug)
        print(f"file: {args.rows:,} rows, {big.stat().st_size / 1e6:.1f} MB")

        baseline = peak_rss_mb()
        import_rows(small, "bench-small")
        after_small = peak_rss_mb()
        seconds, created = import_rows(big, "bench-big")
        after_big = peak_rss_mb()
        copy_seconds = copy_rows(big)
        write_seconds = write_rows("bench-big")
        transaction.set_rollback(True)  # leave nothing behind
        results = {
            "ours": created / seconds,
            "floor": args.rows / copy_seconds,
            "write": args.rows / write_seconds,
            "small_growth": after_small - baseline,
            "big_growth": after_big - baseline,
        }
    ratio = results["ours"] / results["floor"]
    seconds = args.rows / results["ours"]
    print(f"import path: {results['ours']:,.0f} rows/s ({args.rows:,} rows in {seconds:.1f} s)")
    print(f"COPY:        {results['floor']:,.0f} rows/s")
    print(
        f"writing alone: {results['write']:,.0f} rows/s into a table with the handoff table's "
        f"indexes, so no import could beat a ratio of {results['write'] / results['floor']:.2f}"
    )
    print(
        f"peak memory growth: {results['small_growth']:.0f} MB for {args.rows // 4:,} rows, "
        f"{results['big_growth']:.0f} MB for {args.rows:,} rows"
    )
    print(f"ratio {ratio:.3f} (target ≥ {TARGET})")
    print(
        json.dumps(
            {
                "bench": "ingest",
                "ours": round(results["ours"], 1),
                "floor": round(results["floor"], 1),
                "unit": "rows/s",
                "ratio": round(ratio, 4),
                "target": TARGET,
                "higher_is_better": True,
            }
        )
    )


if __name__ == "__main__":
    main()
