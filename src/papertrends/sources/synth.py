"""A deterministic synthetic collection of any size, for benchmarks and scale tests.

Real collections of a million papers cannot be shipped, and random words would not behave like
real text: term counts, phrases, topics and search would all be unrealistically easy. So every
synthetic paper is recombined from the shipped Papers page: its title and most of its
sentences come from one shipped paper, a couple of sentences from others, so vocabulary and
phrases are those of real abstracts. Which shipped papers are popular drifts over the years,
so topics rise and fall. The other fields follow the shapes of real collections:

- dates from 2013 to today, most of them recent (the number of papers grows each year);
- author counts heavy-tailed: mostly 2 to 10, a few single authors, rarely hundreds;
- upvotes heavy-tailed with many zeros;
- about a fifth of papers link a GitHub repository in their abstract, spread over many
  owners (a few owners with many repositories, most with one or two);
- unknown dates, author counts and upvotes at the rates the shipped page shows.

The same ``(papers, seed)`` always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from papertrends.collection import schema

FIRST_DAY = dt.date(2013, 1, 1)
CODE_SHARE = 0.2
PROJECT_PAGE_SHARE = 0.05
CHUNK_ROWS = 50_000
# Ids shaped like arXiv's ("synth-2405.00001") but never equal to a real one: synthetic papers
# ingested into a real collection must not merge into real papers.
ID_PREFIX = "synth-"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LINK = re.compile(r"https?://\S+|github\.com/\S+", re.IGNORECASE)


def synthesize(n_papers: int, base: pd.DataFrame, *, seed: int = 0,
               today: dt.date | None = None) -> Iterator[pa.Table]:
    """Schema tables of ``CHUNK_ROWS`` rows, ``n_papers`` in all, recombined from ``base``.

    ``base`` is a schema frame of real papers (the shipped page): its texts are the vocabulary
    and its share of unknown dates, author counts and upvotes is kept.
    """
    if n_papers < 0:
        raise ValueError("the number of papers must be 0 or more")
    usable = base[base["title"].notna() & base["abstract"].notna()].reset_index(drop=True)
    if usable.empty:
        raise ValueError("the base collection has no paper with a title and an abstract")
    rng = np.random.default_rng(seed)
    today = today or dt.date.today()
    model = _Model(usable, rng)
    per_month: dict[str, int] = {}
    for start in range(0, n_papers, CHUNK_ROWS):
        yield model.chunk(min(CHUNK_ROWS, n_papers - start), today, per_month)


class _Model:
    """What is drawn from the base collection once: sentences, popularity over the years."""

    def __init__(self, base: pd.DataFrame, rng: np.random.Generator) -> None:
        self.rng = rng
        # Sentences with a link are left out: they would all point at the same few places.
        sentences = [[s for s in _SENTENCE_END.split(text) if s.strip() and not _LINK.search(s)]
                     for text in base["abstract"].tolist()]
        usable = [i for i, found in enumerate(sentences) if found]
        if not usable:
            raise ValueError("the base collection has no abstract with a sentence without links")
        base = base.iloc[usable].reset_index(drop=True)
        self.sentences = [sentences[i] for i in usable]
        self.titles = base["title"].tolist()
        self.unknown_date = float(base["published"].isna().mean())
        self.unknown_authors = float(base["n_authors"].isna().mean())
        self.unknown_upvotes = float(base["upvotes"].isna().mean())
        organizations = base["organization"].dropna().unique().tolist()
        self.organizations = organizations
        self.organization_share = float(base["organization"].notna().mean())
        # Method names ("OS-Genesis: ...") are made up from syllables: a bounded vocabulary in
        # which a few names are common and most are rare, as on real title pages.
        syllables = ["ar", "vi", "lo", "ne", "ta", "gen", "mo", "ra", "quo", "zen", "pi", "sa",
                     "tor", "lu", "ke", "dra", "fi", "mer", "on", "xi"]
        self.names = [f"{a.capitalize()}{b}{c}" for a in syllables for b in syllables
                      for c in syllables]
        rng.shuffle(self.names)
        # Each base paper's popularity grows or shrinks exponentially over the years.
        self.slopes = rng.normal(0.0, 0.2, len(self.titles))

    def _bases_for(self, years: np.ndarray) -> np.ndarray:
        """One base paper per row, drawn with that year's popularity."""
        chosen = np.empty(len(years), dtype=np.int64)
        for year in np.unique(years):
            rows = np.flatnonzero(years == year)
            weights = np.exp(self.slopes * (year - 2019))
            chosen[rows] = self.rng.choice(len(weights), size=len(rows), p=weights / weights.sum())
        return chosen

    def _title(self, base: int, name: int) -> str:
        """The base title under another method name, when it starts with one."""
        title = self.titles[base]
        head, colon, tail = title.partition(": ")
        if not colon or " " in head.strip():
            return title
        return f"{self.names[name]}: {tail}"

    def chunk(self, n: int, today: dt.date, per_month: dict[str, int]) -> pa.Table:
        rng = self.rng
        span = (today - FIRST_DAY).days
        # Papers per year grow roughly 35% a year: ages are exponential with a mean of ~3 years.
        ages = np.minimum(rng.exponential(3.0 * 365, n), rng.uniform(0, span, n)).astype(int)
        days = np.datetime64(today) - ages.astype("timedelta64[D]")
        years = days.astype("datetime64[Y]").astype(int) + 1970
        bases = self._bases_for(years)
        others = self._bases_for(years)

        n_authors = np.maximum(1, np.round(rng.lognormal(np.log(5.0), 0.55, n))).astype(np.int64)
        n_authors[rng.random(n) < 0.05] = 1
        huge = rng.random(n) < 0.002  # consortium papers: hundreds of authors
        n_authors[huge] = rng.integers(50, 600, int(huge.sum()))
        upvotes = np.where(rng.random(n) < 0.55, 0,
                           np.floor(rng.pareto(1.3, n) * 3)).astype(np.int64)
        has_code = rng.random(n) < CODE_SHARE
        # Zipf-like owners: a few labs own many repositories, most owners one or two.
        owners = np.minimum(rng.zipf(1.6, n), 10 * n + 1000)
        has_page = rng.random(n) < PROJECT_PAGE_SHARE
        has_org = rng.random(n) < self.organization_share
        names = np.minimum(rng.zipf(1.1, n), len(self.names)) - 1

        ids, titles, abstracts, organizations = [], [], [], []
        months = pd.DatetimeIndex(days).strftime("%y%m").tolist()
        for row in range(n):
            month = months[row]
            number = per_month.get(month, 0) + 1
            per_month[month] = number
            ids.append(f"{ID_PREFIX}{month}.{number:05d}")
            base, other = bases[row], others[row]
            own = self.sentences[base]
            keep = min(len(own), max(2, int(len(own) * rng.uniform(0.6, 1.0))))
            start = int(rng.integers(0, len(own) - keep + 1))
            picked = own[start:start + keep]
            borrowed = self.sentences[other]
            picked.insert(int(rng.integers(1, len(picked) + 1)),
                          borrowed[int(rng.integers(len(borrowed)))])
            if has_code[row]:
                picked.append(f"Code is available at https://github.com/owner{owners[row]}/"
                              f"{ids[-1].removeprefix(ID_PREFIX).replace('.', '-')}.")
            if has_page[row]:
                picked.append(f"Project page: https://project{row % 997}.github.io/"
                              f"{ids[-1].removeprefix(ID_PREFIX)}.")
            abstracts.append(" ".join(picked))
            titles.append(self._title(base, int(names[row])))
            organizations.append(self.organizations[row % len(self.organizations)]
                                 if has_org[row] and self.organizations else None)

        unknown_date = rng.random(n) < self.unknown_date
        unknown_authors = rng.random(n) < self.unknown_authors
        unknown_upvotes = rng.random(n) < self.unknown_upvotes
        return schema.conform(pa.table({
            "paper_id": pa.array(ids, pa.string()),
            "title": pa.array(titles, pa.string()),
            "abstract": pa.array(abstracts, pa.string()),
            "published": pa.array(days.astype("datetime64[D]"), pa.date32(), mask=unknown_date),
            "upvotes": pa.array(upvotes, pa.int64(), mask=unknown_upvotes),
            "n_authors": pa.array(n_authors, pa.int64(), mask=unknown_authors),
            "organization": pa.array(organizations, pa.string()),
        }))
