"""The committed train / validation / test splits of the public review corpora.

Only the training and split scripts (run by hand) read the corpora; run-time code and tests never do.
`python -m ecom.reviews.corpora --corpora ../shared/corpora` reads the seven corpora, cleans the
text, removes exact and near duplicates across all of them, folds the hotel corpus into the 酒店
category of online shopping, assigns each remaining review to a split by a hash of its text and
writes `ecom/reviews/splits/{train,val,test}.tsv.gz` plus `SHA256SUMS`.

A split file holds no text, only where to find it: source, row number in the source file, label,
domain, category and the first 12 hex digits of the SHA-1 of the cleaned text, so `load_split`
can rebuild the text from the corpora and check that it is the same text.

Labels: 1 positive, 0 negative, 2 neutral (3★ reviews: kept out of training, used to choose the
neutral band of P(positive)).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SPLITS_DIR = Path(__file__).resolve().parent / "splits"
SPLITS = ("train", "val", "test")
NEUTRAL = 2


@dataclass(frozen=True)
class Source:
    name: str  # short id stored in the split files
    path: str  # relative to the corpora folder
    domain: str  # what figures are reported over (the hotel corpus reports as online_shopping)
    lang: str
    text: str
    label: str
    stars: bool  # label is 1–5 stars (≥4 positive, ≤2 negative, 3 neutral)
    cat: str | None = None  # category column, or a fixed category when it starts with '='


# Order matters: when two sources hold the same review, the earlier one keeps it.
SOURCES = (
    Source("online_shopping", "zh/online_shopping_6_cats.csv", "online_shopping", "zh", "review", "label", False, "cat"),
    Source("htl", "zh/ChnSentiCorp_htl_all.csv", "online_shopping", "zh", "review", "label", False, "=酒店"),
    Source("waimai", "zh/waimai_10k.csv", "waimai", "zh", "review", "label", False),
    Source("womens_clothing", "en/womens_clothing_reviews.csv", "womens_clothing", "en", "Review Text", "Rating", True),
    Source("blitzer", "en/blitzer_multi_domain.csv", "blitzer", "en", "text", "rating", True, "domain"),
    Source("earphones", "en/amazon_in_earphones.csv", "earphones", "en", "ReviewBody", "ReviewStar", True),
    Source("lenovo_k8", "en/amazon_in_lenovo_k8.csv", "lenovo_k8", "en", "review", "sentiment", False),
)
BY_NAME = {s.name: s for s in SOURCES}
DOMAINS = tuple(dict.fromkeys(s.domain for s in SOURCES))

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")


def clean(text) -> str:
    """The text as the model sees it: no BOM, no surrounding or repeated whitespace."""
    if not isinstance(text, str):
        return ""
    return " ".join(text.replace("\ufeff", " ").split())


def dedup_key(text: str) -> str:
    """Texts equal under this key are exact duplicates (case, width, punctuation, numbers ignored)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _DIGITS.sub("0", _NON_WORD.sub("", text))


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def read_source(corpora: Path, source: Source) -> pd.DataFrame:
    """Rows of one corpus: row (position in the file), text, label (0/1/2), cat."""
    raw = pd.read_csv(corpora / source.path, dtype=str, keep_default_na=False)
    out = pd.DataFrame({"row": np.arange(len(raw)), "text": raw[source.text].map(clean)})
    values = pd.to_numeric(raw[source.label], errors="coerce")
    if source.stars:
        out["label"] = np.select([values >= 4, values <= 2, values == 3], [1, 0, NEUTRAL], -1)
    else:
        out["label"] = np.where(values.isin([0, 1]), values.fillna(-1), -1).astype(int)
    if source.cat is None:
        out["cat"] = ""
    elif source.cat.startswith("="):
        out["cat"] = source.cat[1:]
    else:
        out["cat"] = raw[source.cat].map(str.strip)
    out["source"] = source.name
    return out[(out.text != "") & (out.label >= 0)]


# -- near duplicates: MinHash over character 3-gram shingles, banded LSH, verified by Jaccard ----
_PRIME = (1 << 31) - 1
_RNG = np.random.default_rng(20240601)
_A = _RNG.integers(1, 1 << 31, size=16, dtype=np.int64)
_B = _RNG.integers(0, 1 << 31, size=16, dtype=np.int64)
BANDS, ROWS = 4, 4
NEAR_JACCARD = 0.8
MIN_NEAR_LEN = 12  # shorter keys are only compared exactly: a few characters say too little


def _shingles(key: str) -> set[int]:
    return {int.from_bytes(hashlib.blake2b(key[i : i + 3].encode(), digest_size=4).digest(), "little") for i in range(len(key) - 2)}


def _minhash(shingles: set[int]) -> np.ndarray:
    x = np.fromiter(shingles, dtype=np.int64) % _PRIME
    # (a*x + b) mod p with a, x < p = 2**31 - 1: the product stays below 2**62 (no overflow)
    return ((np.outer(_A, x) + _B[:, None]) % _PRIME).min(axis=1)


def deduplicate(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop exact duplicates (all copies when their labels disagree) and near duplicates (keep first)."""
    frame = frame.assign(key=frame.text.map(dedup_key))
    frame = frame[frame.key != ""]
    n0 = len(frame)
    labels_per_key = frame.groupby("key").label.nunique()
    conflicting = set(labels_per_key[labels_per_key > 1].index)
    n_conflict = int(frame.key.isin(conflicting).sum())
    frame = frame[~frame.key.isin(conflicting)].drop_duplicates("key", keep="first")
    n_exact = n0 - n_conflict - len(frame)

    buckets: dict[tuple[int, bytes], list[int]] = {}
    kept_shingles: dict[int, set[int]] = {}
    keep = np.ones(len(frame), dtype=bool)
    for i, key in enumerate(frame.key.to_numpy()):
        if len(key) < MIN_NEAR_LEN:
            continue
        sh = _shingles(key)
        sig = _minhash(sh)
        bands = [(b, sig[b * ROWS : (b + 1) * ROWS].tobytes()) for b in range(BANDS)]
        candidates = {j for band in bands for j in buckets.get(band, ())}
        if any(len(sh & kept_shingles[j]) / len(sh | kept_shingles[j]) >= NEAR_JACCARD for j in candidates):
            keep[i] = False
            continue
        kept_shingles[i] = sh
        for band in bands:
            buckets.setdefault(band, []).append(i)
    stats = {"rows": n0, "label_conflicts": n_conflict, "exact_duplicates": n_exact, "near_duplicates": int((~keep).sum())}
    return frame[keep].drop(columns="key"), stats


def assign_split(text: str) -> str:
    """A fixed split from the text alone: 10% validation, 10% test, 80% train."""
    bucket = int(hashlib.sha1(dedup_key(text).encode("utf-8")).hexdigest(), 16) % 10
    return "val" if bucket == 0 else "test" if bucket == 1 else "train"


_COLUMNS = ["source", "row", "label", "domain", "cat", "sha1"]


def build(corpora: Path, out: Path = SPLITS_DIR) -> dict:
    frames = [read_source(corpora, s) for s in SOURCES]
    frame, stats = deduplicate(pd.concat(frames, ignore_index=True))
    frame = frame.assign(
        domain=frame.source.map(lambda s: BY_NAME[s].domain),
        sha1=frame.text.map(text_hash),
        split=frame.text.map(assign_split),
    )
    out.mkdir(parents=True, exist_ok=True)
    sums = []
    for split in SPLITS:
        part = frame[frame.split == split].sort_values(["source", "row"])[_COLUMNS]
        buf = io.BytesIO()
        # mtime=0 and no file name: the same rows always give the same bytes (and hash)
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            gz.write(part.to_csv(sep="\t", index=False).encode("utf-8"))
        path = out / f"{split}.tsv.gz"
        path.write_bytes(buf.getvalue())
        sums.append(f"{hashlib.sha256(buf.getvalue()).hexdigest()}  {path.name}")
        stats[f"{split}_rows"] = len(part)
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return stats


def split_hashes(folder: Path = SPLITS_DIR) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").split("\n")
    return {name: digest for digest, name in (line.split("  ") for line in lines if line)}


def domain_group(frame: pd.DataFrame) -> pd.Series:
    """The finest domain a row has: its category where the corpus has them, else the corpus."""
    return frame.cat.where(frame.cat.fillna("") != "", frame.domain)


def load_split(split: str, corpora: Path, folder: Path = SPLITS_DIR) -> pd.DataFrame:
    """One split with its text, rebuilt from the corpora and checked against the stored hashes."""
    index = pd.read_csv(folder / f"{split}.tsv.gz", sep="\t", dtype={"cat": str}, keep_default_na=False)
    texts = []
    for name, rows in index.groupby("source", sort=False).row:
        source = read_source(corpora, BY_NAME[name]).set_index("row")
        texts.append(source.text.reindex(rows.to_numpy()).set_axis(rows.index))
    index["text"] = pd.concat(texts).reindex(index.index)
    bad = index.text.isna() | (index.text.fillna("").map(text_hash) != index.sha1)
    if bad.any():
        first = index[bad].iloc[0]
        raise ValueError(f"{int(bad.sum())} rows of {split} do not match the corpora (first: {first.source} row {first.row})")
    index["lang"] = index.source.map(lambda s: BY_NAME[s].lang)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecom.reviews.corpora", description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, required=True, help="the shared corpora folder (with zh/ and en/)")
    parser.add_argument("--out", type=Path, default=SPLITS_DIR)
    parser.add_argument("--export", type=Path, metavar="DIR", help="instead of building, write DIR/{train,val,test}.csv "
                        "(text, label negative/neutral/positive, domain, cat, group = cat or else domain) from the committed splits, "
                        "for `reviews train` (--domain group)")
    args = parser.parse_args(argv)
    if args.export:
        args.export.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            frame = load_split(split, args.corpora, args.out)
            frame["label"] = frame.label.map({0: "negative", 1: "positive", NEUTRAL: "neutral"})
            frame["group"] = domain_group(frame)
            frame[["text", "label", "domain", "cat", "group"]].to_csv(args.export / f"{split}.csv", index=False)
            print(f"{args.export / f'{split}.csv'}: {len(frame)} rows")
        return 0
    stats = build(args.corpora, args.out)
    for key, value in stats.items():
        print(f"{key}: {value}")
    for name, digest in split_hashes(args.out).items():
        print(f"{name}  sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
