"""What an upload will become, before anything is loaded: the mapping step of the Data page.

`preview(paths, ...)` opens and plans the files exactly as `ingest_files` will (same sources, same
planner, same guesses) and describes each load: its table and why, the files joined into it, each
mapped column with its confidence and sample values, what was decided about dates, time zones and
currency, and the tables that will be skipped and what they lack. The person's changes (a table, a
mapping, a day/month order, an encoding, a skipped file) go back into `ingest_files` unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecom import i18n, tempfiles
from ecom.ingest import mapping as mapping_mod
from ecom.ingest import plan as plan_mod
from ecom.ingest import values
from ecom.ingest.read import open_upload

EXAMPLES = 3


@dataclass
class LoadView:
    """One load of an upload, as the mapping step shows it."""

    name: str  # the source name ingest_files reports under (a join: "lines.csv + orders.csv + …")
    kind: str  # single | join | skip
    table: str | None
    reason: str  # why this table, or why skipped
    members: list[str] = field(default_factory=list)  # the files joined (a join), the file itself otherwise
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    rows_estimate: int | None = None
    columns: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    mapping: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)  # source column -> a few distinct values
    dates: dict[str, dict] = field(default_factory=dict)  # canonical column -> {source, order, decided_by, ambiguous}
    notes: list[str] = field(default_factory=list)
    derive: dict[str, str] = field(default_factory=dict)  # canonical columns made by rule (an order id from customer + time)
    date_notes: dict[str, str] = field(default_factory=dict)  # canonical column -> why its day/month order was chosen


@dataclass
class UploadView:
    loads: list[LoadView]
    errors: list[tuple[str, str]]  # (file, one line saying why) for files that could not be read at all


def preview(paths, names=None, wh=None, lang: str = "en", skip=(), tables=None, mappings=None, encodings=None) -> UploadView:
    paths = [Path(p) for p in paths]
    names = list(names) if names else [p.name for p in paths]
    loads: list[LoadView] = []
    with tempfiles.workdir("preview") as tmp:
        sources, errors = open_upload(paths, names, tmp, lang, encodings)
        mapped = {s.name for s in sources if set((mappings or {}).get(s.name, {})) & set(s.columns)}
        units = plan_mod.plan(sources, tmp, wh=wh, lang=lang, skip=set(skip), tables=dict(tables or {}), mapped=mapped)
        for unit in units:
            loads.append(_describe(unit, wh, lang, (mappings or {}).get(unit.source.name)))
    return UploadView(loads, errors)


def _examples(src, col: str) -> str:
    i = src.columns.index(col)
    seen: list[str] = []
    for row in src.sample:
        v = row[i] if i < len(row) else None
        if v is not None and str(v).strip() and str(v) not in seen:
            seen.append(str(v)[:40])
        if len(seen) == EXAMPLES:
            break
    return ", ".join(seen)


def _describe(unit: plan_mod.Unit, wh, lang: str, user: dict[str, str] | None) -> LoadView:
    src = unit.source
    view = LoadView(
        name=src.name, kind=unit.kind, table=unit.table, reason=unit.reason,
        members=[m.name for m in unit.members] or [src.name], encoding=src.encoding, delimiter=src.delimiter,
        header_row=src.header_row, rows_estimate=src.rows_estimate, columns=list(src.columns), preview=src.preview_frame(),
        examples={c: _examples(src, c) for c in src.columns}, notes=list(src.notes),
    )
    if unit.kind == "skip":
        return view
    g = mapping_mod.suggest(src.columns, wh=wh, values=src.sample, table=unit.table or "auto", lang=lang)
    mapping = dict(g.mapping)
    if user:
        overridden = mapping_mod.targets_of({k: v for k, v in user.items() if v})
        mapping = {k: v for k, v in mapping.items() if k not in user and not mapping_mod.targets_of({k: v}) & overridden}
        mapping.update({k: v for k, v in user.items() if v and k in src.columns})
    table = g.table or unit.table
    sample = {c: [r[i] if i < len(r) else None for r in src.sample] for i, c in enumerate(src.columns)}
    mapping, order_notes = mapping_mod.per_order(table, mapping, sample, lang)
    decisions = values.decide(table, mapping, sample, lang, _tz())
    view.table, view.mapping, view.derive = table, mapping, dict(g.derive)
    view.confidence = {k: ("high" if user and k in user else g.confidence.get(k, "high")) for k in mapping}
    view.reason = g.reason if g.table else unit.reason
    if unit.kind == "join":
        view.reason = i18n.t("ingest.plan.join_reason", lang, lines=unit.members[0].name, others=", ".join(m.name for m in unit.members[1:]))
    for col, profile in decisions.dates.items():
        source = next((s for s, tg in mapping_mod.pairs(mapping) if mapping_mod.split_target(tg)[0] == col
                       and mapping_mod.split_target(tg)[1] != "time"), None)
        view.dates[col] = {"source": source, "order": profile.order, "decided_by": profile.decided_by, "ambiguous": profile.ambiguous,
                           "zone": profile.zone(), "has_time": profile.has_time, "example": profile.example}
        if profile.ambiguous and source:
            view.date_notes[col] = values.date_notes(col, source, profile, _tz(), lang)[0]
    view.notes += g.notes + order_notes + decisions.notes
    return view


def _tz() -> str:
    from ecom import settings

    return settings.get("ECOM_TIMEZONE")
