"""`python -m ecom ingest PATH...`: load files into the warehouse from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ecom import schema

SKIP_EXT = {".json", ".md"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ecom ingest",
        description="Load CSV/TSV/TXT, Excel, Parquet or zip files (or every such file in a directory) into the warehouse.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file or directory (non-recursive)")
    p.add_argument("--table", default="auto", choices=["auto", *schema.TABLES], help="target table (default: guessed from the columns)")
    p.add_argument("--mode", default="append", choices=["append", "replace"], help="append rows, or replace the table's rows")
    p.add_argument("--map", action="append", default=[], metavar="SRC=CANONICAL",
                   help="map a source column onto a canonical column, e.g. --map 实付金额=revenue@order (repeatable)")
    p.add_argument("--currency", metavar="CODE", help="currency (ISO code, e.g. USD) of amounts the files do not name one for "
                   "(default: what the files say, else ECOM_CURRENCY)")
    p.add_argument("--encoding", metavar="NAME", help="text encoding of the files (e.g. big5, cp949, gb18030), when detection reads them wrong")
    p.add_argument("--dataset", metavar="NAME", help="data set the files go to (default: each file's name); lines already in it are skipped")
    p.add_argument("--skip", action="append", default=[], metavar="NAME",
                   help="leave out a file, zip member (zip/member.csv) or sheet (book.xlsx[Sheet]) of the upload (repeatable)")
    p.add_argument("--warehouse", metavar="FILE", help="warehouse file (default: ECOM_WAREHOUSE)")
    p.add_argument("--json", action="store_true", help="print one JSON object per file")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the warehouse already holds data")
    p.add_argument("--no-score", action="store_true",
                   help="leave loaded reviews unscored (the app scores them in the background when it starts)")
    return p


def _files(paths: list[str]) -> tuple[list[Path], list[str]]:
    from ecom.ingest.read import SUPPORTED_EXT

    files, problems = [], []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() not in SKIP_EXT and f.suffix.lower() in SUPPORTED_EXT)
            if not found:
                problems.append(f"{raw}: no CSV, TXT, Excel, Parquet or zip file in this directory")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{raw}: no such file or directory")
    return files, problems


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    mapping = {}
    for item in args.map:
        src, sep, target = item.partition("=")
        if not sep or not src.strip():
            print(f"ingest: --map {item!r}: write it as SOURCE_COLUMN=canonical_column", file=sys.stderr)
            return 2
        mapping[src.strip()] = target.strip()
    if args.currency:
        from ecom.settings import currency_code

        try:
            args.currency = currency_code(args.currency)
        except ValueError:
            print(f"ingest: --currency {args.currency!r}: write a three-letter currency code such as CNY, USD or EUR", file=sys.stderr)
            return 2
    files, problems = _files(args.paths)
    if problems:
        print("ingest: " + "; ".join(problems), file=sys.stderr)
        return 2

    from ecom import tempfiles
    from ecom.ingest import ingest_files, refresh_summaries
    from ecom.warehouse import Warehouse, WarehouseBusy

    # what an earlier load left when it was killed (a copy of the file, a worker's sheets) goes first
    tempfiles.cleanup()
    try:
        wh = Warehouse(args.warehouse) if args.warehouse else Warehouse()
    except WarehouseBusy as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 3
    try:
        if args.if_empty:
            counts = wh.row_counts()
            held = sum(counts.get(t, 0) for t in schema.TABLES)
            if held:
                print(f"ingest: the warehouse {wh.path} already holds {held:,} rows; nothing loaded (--if-empty)", file=sys.stderr)
                return 0
        # the files of one call are one upload: planned together (tables that complete each other are joined)
        label = files[0].name if len(files) == 1 else f"{len(files)} files"
        reports = ingest_files(wh, files, table=args.table, mode=args.mode, mapping=mapping, progress=_progress(label, args.json),
                               refresh=False, skip=args.skip, currency=args.currency, dataset=args.dataset,
                               encodings={f.name: args.encoding for f in files} if args.encoding else None)
        failed = 0
        for r in reports:
            if r.status == "failed":
                failed += 1
            said = r.status in ("failed", "skipped")  # what did not load is said on stderr, one line each
            if args.json:
                print(json.dumps(r.to_dict(), ensure_ascii=False), flush=True)
                if said:
                    print(f"ingest: {r.message}", file=sys.stderr)
            else:
                print(r.message, file=sys.stderr if said else sys.stdout)
                for note in r.notes:
                    print(f"  note: {note}")
        # once for all the files, not once per file with sales in it
        refresh_summaries(wh)
        if not args.no_score and any(r.table == "reviews" and r.status == "loaded" and r.rows_loaded for r in reports):
            # the app cannot score while this process holds the warehouse: the reviews are scored before it lets go
            _score_reviews(wh, args.json)
        # nothing loaded at all (every table failed or fitted nothing) is a failed call too
        landed = any(r.status in ("loaded", "duplicate", "joined") for r in reports)
        return 1 if failed or not landed else 0
    finally:
        wh.close()


def _score_reviews(wh, quiet: bool) -> None:
    """Sentiment and aspects of the texts the active review model has not done, said in one line.
    A model that cannot load is said on stderr: the reviews stay loaded, and the app scores them."""
    import time

    from ecom.reviews import registry, score

    started = time.perf_counter()
    try:
        scorer = score.Scorer.load(registry.active_model(wh))
    except score.ReviewModelError as exc:
        print(f"ingest: the reviews loaded but were not scored: {exc}. The app scores them when it starts.", file=sys.stderr)
        return
    update, close = (None, lambda: None)
    if not quiet and sys.stderr.isatty():
        from ecom.reviews.cli import stage_bars

        update, close = stage_bars()
    try:
        result = score.score_all(wh, scorer, progress=update)
    finally:
        close()
    print(f"reviews: {result['scored']:,} new texts scored by {scorer.version}, {result['unread']:,} left unscored "
          f"(a language the model does not read), aspects found in {result['aspects']['texts']:,} texts "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr if quiet else sys.stdout)


def _progress(label: str, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=100, desc=label, unit="%", leave=False)

    def update(fraction: float, message: str) -> None:
        bar.n = int(fraction * 100)
        bar.set_postfix_str(message[-40:], refresh=True)
        if fraction >= 1.0:
            bar.close()

    return update
