"""The shared data as the search read it (run the scripts from this directory)."""
import csv
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "appeals"


def read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def train() -> tuple[list[str], list[str]]:
    rows = read("train.csv")
    return [r["body"] or "" for r in rows], [r["label"] for r in rows]


def raw() -> list[str]:
    return [(r["title"] or "") + " " + (r["body"] or "") for name in ("hot.csv", "replies.csv") for r in read(name)]
