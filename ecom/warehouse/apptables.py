"""The app's own tables in the warehouse's DuckDB file, and every statement that reads or writes them.

On either engine these stay in DuckDB: saved views, people and their roles, the audit log, the
registries of trained review and recommender models, and the model outputs (review scores,
languages, aspects and terms; recommendations), which `ecom.queries.common.output` shows to the
analytic engine. The domain modules (`ecom.views`, `ecom.people`, `ecom.audit`,
`ecom.reviews.registry`, `ecom.reviews.score`, `ecom.recsys.store`) decide what to write; the SQL
lives here. A write that must land together with an audit row takes the caller's transaction `cur`.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

# Made as the warehouse opens (`ensure_output_tables`), never on a page visit: made lazily on a page's
# first visit, two sessions visiting at once raced into "Catalog write-write conflict".
OUTPUT_TABLES_SQL = (
    "CREATE SCHEMA IF NOT EXISTS app",
    """CREATE TABLE IF NOT EXISTS app.review_scores (
        text_hash VARCHAR, model_version VARCHAR, p_positive DOUBLE, label VARCHAR, scored_at TIMESTAMP,
        PRIMARY KEY (text_hash, model_version))""",
    # one row per text and aspects version, also for texts without aspects (so they are not redone)
    """CREATE TABLE IF NOT EXISTS app.review_aspect_runs (
        text_hash VARCHAR, aspects_version VARCHAR, n_aspects INTEGER, PRIMARY KEY (text_hash, aspects_version))""",
    """CREATE TABLE IF NOT EXISTS app.review_aspects (
        text_hash VARCHAR, aspects_version VARCHAR, aspect VARCHAR, polarity INTEGER, clause VARCHAR, term VARCHAR)""",
    # each text's distinct words for the page's distinctive terms (ecom.reviews.terms), found with its aspects
    "CREATE TABLE IF NOT EXISTS app.review_terms (text_hash VARCHAR, aspects_version VARCHAR, term VARCHAR)",
    # NULL: a text without letters (emoji, "???"), which has no language
    "CREATE TABLE IF NOT EXISTS app.review_languages (text_hash VARCHAR PRIMARY KEY, language VARCHAR)",
    """CREATE TABLE IF NOT EXISTS app.review_models (
        name VARCHAR PRIMARY KEY, path VARCHAR, base VARCHAR, trained_at TIMESTAMP, train_rows BIGINT,
        test_rows BIGINT, data VARCHAR, metrics VARCHAR, active_metrics VARCHAR, active BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS app.models (
        model_id VARCHAR PRIMARY KEY, created_at TIMESTAMP, kind VARCHAR, path VARCHAR, data_version BIGINT,
        customers BIGINT, items BIGINT, interactions BIGINT, config VARCHAR, train VARCHAR, metrics VARCHAR,
        train_seconds DOUBLE, eval_seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS app.recs (
        model_id VARCHAR, customer_id VARCHAR, rank INTEGER, product_id VARCHAR, score DOUBLE,
        reason VARCHAR, reason_product VARCHAR, reason_category VARCHAR, reason_count BIGINT, reason_base BIGINT,
        reason_share DOUBLE, reason_rank INTEGER, reason_interval_days DOUBLE, reason_days_since DOUBLE)""",
)

RECS_COLUMNS = (
    "model_id", "customer_id", "rank", "product_id", "score", "reason", "reason_product", "reason_category",
    "reason_count", "reason_base", "reason_share", "reason_rank", "reason_interval_days", "reason_days_since",
)  # fmt: skip


def ensure_output_tables(cur) -> None:
    """The tables models write, made unless they exist."""
    for sql in OUTPUT_TABLES_SQL:
        cur.execute(sql)


def _read(wh, sql: str, params: list | None = None, frame: bool = False):
    """One read on a cursor of its own: a DataFrame (`frame`) or the rows."""
    cur = wh.cursor()
    try:
        result = cur.execute(sql, params or [])
        return result.df() if frame else result.fetchall()
    finally:
        cur.close()


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# -- saved views (ecom.views) -------------------------------------------------------------------

def add_view(wh, token: str, name: str, page: str, state: str, owner: str | None) -> None:
    now = _now()
    with wh.transaction() as cur:
        cur.execute("INSERT INTO app.views (token, name, page, state, created_at, updated_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [token, name, page, state, now, now, owner])


def view(wh, token: str) -> tuple[str, str, str] | None:
    """(name, page, state JSON) of a saved view, None when there is none."""
    rows = _read(wh, "SELECT name, page, state FROM app.views WHERE token = ?", [token])
    return rows[0] if rows else None


def views(wh) -> pd.DataFrame:
    return _read(wh, "SELECT token, name, page, created_at, updated_at, owner FROM app.views ORDER BY updated_at DESC, name", frame=True)


def view_owner(wh, token: str) -> tuple[str | None] | None:
    """(owner,) of a saved view (owner None: made before owners existed), None when there is no view."""
    rows = _read(wh, "SELECT owner FROM app.views WHERE token = ?", [token])
    return rows[0] if rows else None


def rename_view(wh, token: str, name: str) -> None:
    with wh.transaction() as cur:
        cur.execute("UPDATE app.views SET name = ?, updated_at = ? WHERE token = ?", [name, _now(), token])


def delete_view(wh, token: str) -> None:
    with wh.transaction() as cur:
        cur.execute("DELETE FROM app.views WHERE token = ?", [token])


# -- people and roles (ecom.people) -------------------------------------------------------------

def people(wh) -> list[tuple[str, str, list[str] | None]]:
    """(email, role, shops) of everyone."""
    return _read(wh, "SELECT email, role, shops FROM app.people")


def people_listing(wh) -> pd.DataFrame:
    return _read(wh, "SELECT email, role, array_to_string(shops, ', ') AS shops, updated_by, updated_at FROM app.people ORDER BY email",
                 frame=True)


def put_person(cur, email: str, role: str, shops: list[str], by: str) -> None:
    cur.execute("INSERT INTO app.people VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO UPDATE SET role = excluded.role, "
                "shops = excluded.shops, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                [email, role, shops, by, _now()])


def remove_person(cur, email: str) -> None:
    cur.execute("DELETE FROM app.people WHERE email = ?", [email])


# -- the audit log (ecom.audit) -----------------------------------------------------------------

def add_audit(cur, row: list) -> None:
    """row: happened_at, actor, via, kind, detail, address."""
    cur.execute("INSERT INTO app.audit VALUES (?, ?, ?, ?, ?, ?)", row)


def audit_rows(wh, limit: int) -> pd.DataFrame:
    """The newest `limit` rows, newest first."""
    return _read(wh, "SELECT happened_at, actor, via, kind, detail, address FROM app.audit ORDER BY happened_at DESC, rowid DESC LIMIT ?",
                 [limit], frame=True)


# -- trained review models (ecom.reviews.registry) ----------------------------------------------

def review_models(wh) -> pd.DataFrame:
    return _read(wh, "SELECT * FROM app.review_models ORDER BY trained_at DESC", frame=True)


def active_review_model(wh) -> str | None:
    """The path of the registry's active row, if one is active."""
    rows = _read(wh, "SELECT path FROM app.review_models WHERE active")
    return rows[0][0] if rows else None


def activate_review_model(wh, name: str | None) -> None:
    """Make `name` the only active row (None: none, the ECOM_REVIEW_MODEL setting is used)."""
    with wh.transaction() as cur:
        if name is not None and not cur.execute("SELECT 1 FROM app.review_models WHERE name = ?", [name]).fetchone():
            raise ValueError(f"no trained review model named {name!r}")
        cur.execute("UPDATE app.review_models SET active = (name IS NOT DISTINCT FROM ?)", [name])


def add_review_model(wh, row: dict) -> None:
    """row: the columns of app.review_models, in order."""
    with wh.transaction() as cur:
        cur.execute("INSERT INTO app.review_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row.values()))


# -- review model outputs (ecom.reviews.score) --------------------------------------------------

def _insert_frames(wh, frames: dict[str, pd.DataFrame], statements: list[str], outputs: tuple[str, ...]) -> None:
    """Run `statements` over `frames` (registered under their keys) in one transaction, then bump
    the versions of `outputs` so cached page queries over them are read again."""
    with wh.transaction() as cur:
        for name, frame in frames.items():
            cur.register(name, frame)
        for sql in statements:
            cur.execute(sql)
        for name in frames:
            cur.unregister(name)
        for name in outputs:
            wh.bump_output(cur, name)


def add_review_scores(wh, frame: pd.DataFrame) -> None:
    """frame: text_hash, model_version, p_positive, label, language; a text already scored by the
    version is left as it is."""
    _insert_frames(wh, {"new_scores": frame}, [
        # an unscored text's NaN made NULL: it has no score, not a score that is not a number
        "INSERT INTO app.review_scores SELECT text_hash, model_version, if(label IS NULL, NULL, p_positive), label, "
        "now()::TIMESTAMP FROM new_scores ON CONFLICT DO NOTHING",
        "INSERT INTO app.review_languages SELECT text_hash, language FROM new_scores ON CONFLICT DO NOTHING",
    ], ("review_scores", "review_languages"))


def add_review_aspects(wh, aspects: pd.DataFrame, runs: pd.DataFrame, terms: pd.DataFrame) -> None:
    """aspects: text_hash, aspects_version, aspect, polarity, clause, term; runs: text_hash,
    aspects_version, n_aspects (one per text done); terms: text_hash, term, aspects_version."""
    _insert_frames(wh, {"new_aspects": aspects, "new_runs": runs, "new_terms": terms}, [
        "INSERT INTO app.review_aspects SELECT text_hash, aspects_version, aspect, polarity, clause, term FROM new_aspects",
        "INSERT INTO app.review_terms SELECT text_hash, aspects_version, term FROM new_terms",
        "INSERT INTO app.review_aspect_runs SELECT text_hash, aspects_version, n_aspects FROM new_runs ON CONFLICT DO NOTHING",
    ], ("review_aspects", "review_terms", "review_aspect_runs"))


# -- the recommender (ecom.recsys.store) --------------------------------------------------------

def add_recsys_model(wh, row: dict) -> None:
    """row: some columns of app.models; a run with the same model_id is replaced."""
    cols = ", ".join(row)
    with wh.transaction() as cur:
        cur.execute(f"INSERT OR REPLACE INTO app.models ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def recsys_models(wh) -> pd.DataFrame:
    """The runs, newest first; empty on a read-only warehouse that was never trained on."""
    try:
        return _read(wh, "SELECT * FROM app.models ORDER BY created_at DESC, model_id DESC", frame=True)
    except duckdb.CatalogException:
        return pd.DataFrame()


def replace_recs(wh, recs: pd.DataFrame) -> None:
    """Replace app.recs with `recs` (columns RECS_COLUMNS) in one transaction."""
    _insert_frames(wh, {"new_recs": recs.reindex(columns=list(RECS_COLUMNS))},
                   ["DELETE FROM app.recs", f"INSERT INTO app.recs SELECT {', '.join(RECS_COLUMNS)} FROM new_recs"], ("recs",))
