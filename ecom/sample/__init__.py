"""`python -m ecom sample [--scale N] [--seed S] [--out DIR] [--stats]`: the seeded sample data set.

Same seed and scale, same bytes. The default set is committed in `sample_data/`; other scales or
seeds go to `data/sample-scale<N>-seed<S>/` unless --out says where, so a 10M-line benchmark set
never overwrites the committed one by accident.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .generate import DEFAULT_SEED, FILES, GROUND_TRUTH, SALES_HEADERS, generate

__all__ = ["DEFAULT_SEED", "FILES", "GROUND_TRUTH", "SALES_HEADERS", "generate", "main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ecom sample", description="Generate the seeded sample data set.")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiplies customers and order lines (1 = ~107k lines; 100 = ~10.7M lines, sales streamed in chunks)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: sample_data/ for the default scale and seed, else data/sample-scale<N>-seed<S>/)")
    p.add_argument("--stats", action="store_true", help="print counts and the 618/双11 peaks after writing")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0 < args.scale <= 1000:
        print(f"sample: --scale must be above 0 and at most 1000, not {args.scale:g}", file=sys.stderr)
        return 2
    from ecom import settings

    out = args.out
    if out is None:
        default = args.scale == 1.0 and args.seed == DEFAULT_SEED
        out = settings.ROOT / ("sample_data" if default else f"data/sample-scale{args.scale:g}-seed{args.seed}")
    from tqdm import tqdm

    started = time.perf_counter()
    bar = tqdm(total=None, desc="order lines", unit="chunk", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        summary = generate(out, scale=args.scale, seed=args.seed, progress=progress)
    except OSError as exc:
        bar.close()
        print(f"sample: cannot write to {out}: {exc}", file=sys.stderr)
        return 1
    bar.close()
    elapsed = time.perf_counter() - started
    print(f"wrote {summary.lines:,} order lines and {len(FILES) - 1} other tables to {out} in {elapsed:.1f} s")
    if args.stats:
        from .stats import format_stats

        print(format_stats(summary, out, settings.get("ECOM_PROMO_1111"), settings.get("ECOM_PROMO_618")))
    return 0
