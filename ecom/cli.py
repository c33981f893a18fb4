"""`python -m ecom COMMAND ...`: each command lives in its own module, imported only when used
(so `ingest` does not pay for importing torch)."""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "serve": ("ecom.server", "start the app (sign-in gate in front of every route); see the README"),
    "ingest": ("ecom.ingest.cli", "load CSV/TSV/Excel/Parquet/zip files into the warehouse"),
    "sample": ("ecom.sample", "generate the seeded sample data set"),
    "kpis": ("ecom.kpis_cli", "GMV, refunds, net sales, orders, customers and refund rate of a date range"),
    "schema": ("ecom.schema_cli", "print the canonical schema as a Markdown table"),
    "reviews": ("ecom.reviews.cli", "train, evaluate and apply the review-sentiment model"),
    "recommend": ("ecom.recsys.cli", "train and evaluate the next-item recommender"),
}

USAGE = "usage: python -m ecom {" + ",".join(COMMANDS) + "} ...\n\ncommands:\n" + "\n".join(
    f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv[0] not in COMMANDS:
        print(f"ecom: unknown command {argv[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    from ecom import settings

    try:
        settings.check()  # broken configuration stops every command before it does anything
    except settings.SettingError as exc:
        print(f"ecom: {exc}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return int(module.main(argv[1:]) or 0)
