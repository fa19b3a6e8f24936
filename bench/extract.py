"""Extraction benchmark: per-field exact-match rates and time per page on a labelled corpus.

Run from the repository root:

    python -m bench.extract                       # tests/fixtures/corpus
    python -m bench.extract --corpus ../shared/corpus
    python -m bench.extract --corpus tests/fixtures/pages --json

A corpus is any folder laid out like ../shared/corpus: `labels.json`, `pages/`, `feeds/` (feeds optional).
Time per page covers decoding, parsing and extraction (no fetching). trafilatura's title, date and
main-text figures on the same pages are printed beside ours as a reference when it is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.extract import extract
from bot.model import SUMMARY_FIELDS, Entry
from bot.sources.feed import parse_feed

DEFAULT_CORPUS = Path("tests/fixtures/corpus")
GOALS = {"title": 0.95, "subtitle": 0.95, "lead": 0.95, "published": 0.95, "image": 0.95, "quote": 0.95,
         "speaker": 0.95, "caption": 0.90, "region": 0.90}
ALL_FIELDS_GOAL = 0.85
_SPACE = re.compile(r"\s+")


def norm(value: str | None) -> str | None:
    """The corpus README's normalisation: NFC, NBSP -> space, collapsed whitespace, trimmed."""
    if value is None:
        return None
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value).replace("\xa0", " ")).strip()


def same(name: str, got: str | None, want: str | None) -> bool:
    if name == "published" and got and want:
        return datetime.fromisoformat(got) == datetime.fromisoformat(want)
    return norm(got) == norm(want)


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    url: str
    page: bytes
    label: dict[str, Any]
    entry: Entry | None


def load_corpus(root: Path) -> list[Case]:
    """Labelled pages with the feed item whose link equals each label's url (None when unlisted)."""
    labels_path = root / "labels.json"
    if not labels_path.is_file():
        raise SystemExit(f"bench.extract: {labels_path} not found (a corpus needs labels.json and pages/)")
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    entries: dict[str, Entry] = {}
    feeds = root / "feeds"
    for feed in sorted(feeds.iterdir()) if feeds.is_dir() else []:
        parsed = parse_feed(feed.read_bytes(), url=f"file://{feed.resolve()}")
        for entry in parsed.entries:
            if entry.link and entry.link not in entries:
                entries[entry.link] = entry
    return [Case(lab["file"], lab["url"], (root / lab["file"]).read_bytes(), lab, entries.get(lab["url"]))
            for lab in labels]


@dataclass
class Report:
    pages: int = 0
    exact: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMARY_FIELDS, 0))
    misses: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in SUMMARY_FIELDS})
    all_right: int = 0
    times_ms: list[float] = field(default_factory=list)

    def rate(self, name: str) -> float:
        return self.exact[name] / self.pages if self.pages else 0.0

    @property
    def all_fields_rate(self) -> float:
        return self.all_right / self.pages if self.pages else 0.0

    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else 0.0

    def p95_ms(self) -> float:
        if not self.times_ms:
            return 0.0
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def evaluate(cases: list[Case], *, repeat: int = 5) -> Report:
    report = Report(pages=len(cases))
    for case in cases:
        best = float("inf")
        summary = None
        for _ in range(repeat):
            started = time.perf_counter()
            summary = extract(case.page, case.url, entry=case.entry)
            best = min(best, (time.perf_counter() - started) * 1000)
        report.times_ms.append(best)
        assert summary is not None
        got = summary.to_json()
        right = True
        for name in SUMMARY_FIELDS:
            if same(name, got[name], case.label.get(name)):
                report.exact[name] += 1
            else:
                right = False
                report.misses[name].append(Path(case.file).name)
        report.all_right += right
    return report


def trafilatura_reference(cases: list[Case]) -> dict[str, Any] | None:
    """trafilatura's title (exact), date (same day) and main text (contains our lead label) rates."""
    try:
        import trafilatura
    except ImportError:
        return None
    title = date = text = 0
    times: list[float] = []
    for case in cases:
        started = time.perf_counter()
        meta = trafilatura.extract_metadata(case.page, default_url=case.url)
        body = trafilatura.extract(case.page, url=case.url) or ""
        times.append((time.perf_counter() - started) * 1000)
        title += bool(meta is not None and same("title", meta.title, case.label["title"]))
        want_day = (case.label.get("published") or "")[:10]
        date += bool(meta is not None and meta.date and str(meta.date)[:10] == want_day)
        lead = norm(case.label.get("lead")) or ""
        text += bool(lead) and lead in (norm(body) or "")
    n = len(cases) or 1
    return {"title": {"exact": title, "rate": title / n}, "date_day": {"exact": date, "rate": date / n},
            "main_text_has_lead": {"exact": text, "rate": text / n},
            "median_ms": statistics.median(times) if times else 0.0}


def _table(report: Report, reference: dict[str, Any] | None, write: Callable[[str], object]) -> None:
    write(f"pages: {report.pages}\n")
    write(f"{'field':10s} {'exact':>7s} {'rate':>7s} {'goal':>6s}  mismatching pages\n")
    for name in SUMMARY_FIELDS:
        flag = "" if report.rate(name) >= GOALS[name] else "  BELOW GOAL"
        misses = ", ".join(report.misses[name]) or "-"
        write(f"{name:10s} {report.exact[name]:3d}/{report.pages:<3d} {report.rate(name):7.1%} "
              f"{GOALS[name]:6.0%}  {misses}{flag}\n")
    write(f"all fields right: {report.all_right}/{report.pages} = {report.all_fields_rate:.1%} "
          f"(goal {ALL_FIELDS_GOAL:.0%})\n")
    write(f"time per page (decode+parse+extract): median {report.median_ms():.2f} ms, "
          f"p95 {report.p95_ms():.2f} ms\n")
    if reference is None:
        write("trafilatura reference skipped: trafilatura is not importable\n")
        return
    write("trafilatura reference on the same pages: "
          f"title {reference['title']['rate']:.1%}, date (day) {reference['date_day']['rate']:.1%}, "
          f"main text containing the lead {reference['main_text_has_lead']['rate']:.1%}, "
          f"median {reference['median_ms']:.2f} ms/page\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with labels.json, pages/ and feeds/ (default: tests/fixtures/corpus; "
                             "../shared/corpus works too)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    cases = load_corpus(args.corpus)
    report = evaluate(cases)
    reference = trafilatura_reference(cases)
    if args.json:
        out: dict[str, Any] = {
            "pages": report.pages,
            "fields": {n: {"exact": report.exact[n], "rate": report.rate(n)} for n in SUMMARY_FIELDS},
            "all_fields_rate": report.all_fields_rate,
            "median_ms": round(report.median_ms(), 3),
            "p95_ms": round(report.p95_ms(), 3),
            "misses": {n: v for n, v in report.misses.items() if v},
            "trafilatura": reference,
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    else:
        _table(report, reference, sys.stdout.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
