"""The filters every page shares, as one value object.

A ``Filters`` is parsed from and written to URL query parameters (so a copied link shows the
same view), applied in one place as a boolean mask, and described in words for page headers
and file names. ``None`` means "not narrowed": papers whose date or author count is unknown
are kept until the user narrows that filter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from papertrends.collection.loaded import DATE_COLUMNS, PUBLISHED, Collection
from papertrends.common.text import shorten
from papertrends.indexes.search_index import ALTERNATIVE, TERM_WORD

HAS_CODE_CHOICES = ("any", "yes", "no")
# The largest count a filter takes (upvotes, authors): far beyond any paper, well inside the
# 64-bit integers the columns hold and the integers a browser's number box keeps exactly. A
# link asking for more (``min_upvotes=99999999999999999999999``) is ignored, not an overflow.
MAX_COUNT = 1_000_000_000
# How much of a rejected value a note repeats: a link can carry kilobytes.
_SHOWN_CHARS = 60
# The most a search asks of the index and the texts (see ``parse_search``).
MAX_SEARCH_TERMS = 8
MAX_TERM_WORDS = 6
MAX_TERM_CHARS = 60


# Date ranges relative to the collection's newest date: a link shared today still shows the
# latest weeks tomorrow. The key is the URL's ``range=``; the value, the sidebar's words.
RELATIVE_RANGES = {"last-7": "Last 7 days", "last-30": "Last 30 days",
                   "last-90": "Last 90 days", "this-year": "This year"}

# How each date reads in words ("featured 2025-01-01 to ...") and in the sidebar.
DATE_WORDS = {"published": "published", "featured": "featured on Daily Papers"}
DATE_LABELS = {"published": "Published (the paper's date)",
               "featured": "Featured on Daily Papers"}


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    topics: tuple[str, ...] = ()
    search: str = ""
    min_upvotes: int = 0
    authors_min: int | None = None
    authors_max: int | None = None
    has_code: str = "any"
    # GitHub owners (the part of 'owner/repo' before the slash, any case): papers linking a
    # repository of any of them.
    owners: tuple[str, ...] = ()
    # Which date the date range and every time chart use (``loaded.DATE_COLUMNS``).
    date_column: str = PUBLISHED
    # A range ending on the collection's newest date (``RELATIVE_RANGES``): it wins over
    # ``date_from`` and ``date_to``, and moves with the collection.
    relative: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    # -- URL form ----------------------------------------------------------------------

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]], prefix: str = ""
                    ) -> Filters:
        """Parse query parameters (those named ``prefix`` + a filter's key: a drill-down's
        ``sel_from``, a comparison's ``b_topic``); invalid values are dropped and listed in
        ``problems``, each as ``key='value'`` (a long value cut short). Counts are whole
        numbers from 0 (upvotes) or 1 (authors) to ``MAX_COUNT``: a huge, negative,
        fractional, NaN or infinite one is a broken link, and showing the view without that
        filter beats failing the page."""
        problems: list[str] = []

        def values(key: str) -> list[str]:
            value = params.get(prefix + key)
            if value is None:
                return []
            return [value] if isinstance(value, str) else [str(v) for v in value]

        def one(key: str) -> str | None:
            found = values(key)
            return found[-1].strip() if found and found[-1].strip() else None

        def parse(key: str, convert, check=lambda _: True):
            raw = one(key)
            if raw is None:
                return None
            try:
                value = convert(raw)
            except ValueError:
                value = None
            if value is None or not check(value):
                problems.append(f"{prefix}{key}={shorten(raw, _SHOWN_CHARS)!r}")
                return None
            return value

        has_code = one("code") or "any"
        if has_code not in HAS_CODE_CHOICES:
            problems.append(f"{prefix}code={shorten(has_code, _SHOWN_CHARS)!r}")
            has_code = "any"
        date_column = one("dates") or PUBLISHED
        if date_column not in DATE_COLUMNS:
            problems.append(f"{prefix}dates={shorten(date_column, _SHOWN_CHARS)!r}")
            date_column = PUBLISHED
        relative = one("range") or ""
        if relative and relative not in RELATIVE_RANGES:
            problems.append(f"{prefix}range={shorten(relative, _SHOWN_CHARS)!r}")
            relative = ""
        return cls(
            date_from=parse("from", dt.date.fromisoformat),
            date_to=parse("to", dt.date.fromisoformat),
            topics=tuple(dict.fromkeys(t for t in values("topic") if t.strip())),
            search=one("q") or "",
            min_upvotes=parse("min_upvotes", int, lambda v: 0 <= v <= MAX_COUNT) or 0,
            authors_min=parse("authors_min", int, lambda v: 1 <= v <= MAX_COUNT),
            authors_max=parse("authors_max", int, lambda v: 1 <= v <= MAX_COUNT),
            has_code=has_code,
            owners=tuple(dict.fromkeys(o.strip() for o in values("owner") if o.strip())),
            date_column=date_column,
            relative=relative,
            problems=tuple(problems),
        )

    def to_params(self, prefix: str = "") -> dict[str, str | list[str]]:
        """Only the narrowed filters, so an unfiltered view has a clean URL; each key starts
        with ``prefix`` (see ``from_params``)."""
        params: dict[str, str | list[str]] = {}
        if self.date_column != PUBLISHED:
            params["dates"] = self.date_column
        if self.relative:
            params["range"] = self.relative
        else:
            if self.date_from:
                params["from"] = self.date_from.isoformat()
            if self.date_to:
                params["to"] = self.date_to.isoformat()
        if self.topics:
            params["topic"] = list(self.topics)
        if self.search.strip():
            params["q"] = self.search.strip()
        if self.min_upvotes:
            params["min_upvotes"] = str(self.min_upvotes)
        if self.authors_min is not None:
            params["authors_min"] = str(self.authors_min)
        if self.authors_max is not None:
            params["authors_max"] = str(self.authors_max)
        if self.has_code != "any":
            params["code"] = self.has_code
        if self.owners:
            params["owner"] = list(self.owners)
        return {prefix + key: value for key, value in params.items()}

    def replace(self, **changes) -> Filters:
        return replace(self, **changes)

    @property
    def is_narrowed(self) -> bool:
        return bool(self.to_params())

    # -- applying ----------------------------------------------------------------------

    def mask(self, collection: Collection) -> np.ndarray:
        """Rows of the collection that pass every filter."""
        papers = collection.papers
        keep = np.ones(len(papers), dtype=bool)
        if not len(papers):
            return keep
        date_from, date_to = self.date_span(collection)
        if date_from or date_to:
            dates = papers[self.dates_in(collection)]
            within = dates.notna().to_numpy().copy()
            if date_from:
                within &= (dates >= date_from).fillna(False).to_numpy(bool)
            if date_to:
                within &= (dates <= date_to).fillna(False).to_numpy(bool)
            keep &= within
        if self.topics:
            matrix = collection.topic_matrix
            wanted = [t for t in self.topics if t in matrix.columns]
            keep &= matrix[wanted].to_numpy().any(axis=1) if wanted else False
        terms = search_terms(self.search)
        if terms:
            keep &= collection.matching_all(tuple(terms))
        if self.min_upvotes:
            keep &= (papers["upvotes"] >= self.min_upvotes).fillna(False).to_numpy(bool)
        if self.authors_min is not None or self.authors_max is not None:
            authors = papers["n_authors"]
            within = authors.notna().to_numpy().copy()  # to_numpy() may be read-only
            if self.authors_min is not None:
                within &= (authors >= self.authors_min).fillna(False).to_numpy(bool)
            if self.authors_max is not None:
                within &= (authors <= self.authors_max).fillna(False).to_numpy(bool)
            keep &= within
        if self.has_code != "any":
            keep &= collection.has_code if self.has_code == "yes" else ~collection.has_code
        if self.owners:
            keep &= collection.with_owners(self.owners)
        return keep

    def date_span(self, collection: Collection) -> tuple[dt.date | None, dt.date | None]:
        """The dates the range keeps, both ends included (None: not narrowed at that end):
        a relative range resolved against the collection's newest date of the chosen kind."""
        if not self.relative:
            return self.date_from, self.date_to
        bounds = collection.date_range(self.dates_in(collection))
        if bounds is None:
            return None, None
        newest = bounds[1]
        if self.relative == "this-year":
            return dt.date(newest.year, 1, 1), None
        days = int(self.relative.removeprefix("last-"))
        return newest - dt.timedelta(days=days - 1), None

    def dates_in(self, collection: Collection) -> str:
        """The date column this view uses in ``collection``: the chosen one when the
        collection has it (a link to featured days opened on a saved page falls back)."""
        return self.date_column if self.date_column in collection.date_columns else PUBLISHED

    # -- words -------------------------------------------------------------------------

    def describe(self) -> str:
        """The active filters in plain words, e.g. "published 2025-01-01 to 2025-06-30, ..."."""
        parts = []
        dated = DATE_WORDS[self.date_column]
        if self.relative:
            span = RELATIVE_RANGES[self.relative].lower()
            parts.append(f"{dated} in the {span} of the collection" if self.relative !=
                         "this-year" else f"{dated} this year (the newest paper's year)")
        elif self.date_from and self.date_to:
            parts.append(f"{dated} {self.date_from} to {self.date_to}")
        elif self.date_from:
            parts.append(f"{dated} on or after {self.date_from}")
        elif self.date_to:
            parts.append(f"{dated} on or before {self.date_to}")
        elif self.date_column != PUBLISHED:
            parts.append("dated by the day featured on Daily Papers")
        if self.topics:
            parts.append(f"topic {' or '.join(self.topics)}")
        if search_terms(self.search):
            parts.append("matching " + " and ".join(
                " or ".join(f"'{alternative}'" for alternative in term.split(ALTERNATIVE))
                for term in search_terms(self.search)))
        if self.min_upvotes:
            upvotes = self.min_upvotes
            parts.append(f"at least {upvotes} upvote{'' if upvotes == 1 else 's'}")
        if self.authors_min is not None and self.authors_max is not None:
            parts.append(f"{self.authors_min} to {self.authors_max} authors")
        elif self.authors_min is not None:
            parts.append(f"at least {self.authors_min} authors")
        elif self.authors_max is not None:
            parts.append(f"at most {self.authors_max} authors")
        if self.has_code != "any":
            parts.append("with GitHub code" if self.has_code == "yes" else "without GitHub code")
        if self.owners:
            parts.append(f"code by {' or '.join(self.owners)} on GitHub")
        return ", ".join(parts) if parts else "all papers"

    # -- combining ---------------------------------------------------------------------

    def narrowed_by(self, other: Filters, collection: Collection) -> Filters:
        """The papers that pass both: what "Filter by this" turns a drill-down into. A date
        range relative to the newest paper becomes the dates it stands for today, since the
        other's dates are fixed."""
        start, end = self.date_span(collection)
        other_start, other_end = other.date_span(collection)
        if other_start or other_end:
            start = max(filter(None, (start, other_start)), default=None)
            end = min(filter(None, (end, other_end)), default=None)
            relative = ""
        else:
            relative = self.relative
            start, end = (None, None) if relative else (start, end)
        return replace(
            self,
            date_from=start, date_to=end, relative=relative,
            topics=other.topics or self.topics,
            search=" ".join(filter(None, (self.search.strip(), other.search.strip()))),
            min_upvotes=max(self.min_upvotes, other.min_upvotes),
            authors_min=max(filter(None, (self.authors_min, other.authors_min)), default=None),
            authors_max=min(filter(None, (self.authors_max, other.authors_max)), default=None),
            has_code=other.has_code if other.has_code != "any" else self.has_code,
            owners=other.owners or self.owners,
            date_column=self.date_column,
            problems=(),
        )

    @classmethod
    def covering(cls, parts: Sequence[Filters]) -> Filters:
        """The narrowest single filter that keeps every paper any of ``parts`` keeps, for
        parts that each narrow by a few fields (the marks a user selected on one chart:
        several periods become one date span, several topics any of them, several terms
        alternatives). A field only some parts narrow is not narrowed."""
        if not parts:
            return cls()
        if len(parts) == 1:
            return parts[0]

        def every(values):
            return None if any(v is None for v in values) else values

        starts = every([p.date_from for p in parts])
        ends = every([p.date_to for p in parts])
        low = every([p.authors_min for p in parts])
        high = every([p.authors_max for p in parts])
        searches = [p.search.strip() for p in parts]
        codes = {p.has_code for p in parts}
        return cls(
            date_from=min(starts) if starts else None,
            date_to=max(ends) if ends else None,
            topics=(tuple(dict.fromkeys(t for p in parts for t in p.topics))
                    if all(p.topics for p in parts) else ()),
            search=(ALTERNATIVE.join(dict.fromkeys(_as_alternative(s) for s in searches))
                    if all(searches) else ""),
            min_upvotes=min(p.min_upvotes for p in parts),
            authors_min=min(low) if low else None,
            authors_max=max(high) if high else None,
            has_code=codes.pop() if len(codes) == 1 else "any",
            owners=(tuple(dict.fromkeys(o for p in parts for o in p.owners))
                    if all(p.owners for p in parts) else ()),
            date_column=parts[0].date_column,
        )


def _as_alternative(search: str) -> str:
    """A one-term search as one alternative of a ``|`` chain: a phrase in quotes."""
    return f'"{search}"' if " " in search and not search.startswith('"') else search


@dataclass(frozen=True)
class Search:
    """A search box's terms, within bounds, and what was left out to keep them there."""

    terms: tuple[str, ...]
    ignored: tuple[str, ...]  # in words, one line each: the terms and words not searched for


def parse_search(query: str) -> Search:
    """The terms of a search box, lower-cased: words and "quoted phrases"; all must match.
    Terms joined by ``|`` with no space are one term that any of them satisfies:
    '"large language model"|llm' (how the Keywords page searches an acronym and its
    expansion at once).

    A term matches at the start of a word: 'agent' finds 'agents' and 'agentic', 'rl' finds
    'RLHF' but not 'world'. An unbalanced quote is taken literally rather than rejected. A
    repeated term counts once.

    The work is bounded, whatever a link asks for: at most ``MAX_SEARCH_TERMS`` terms (each
    alternative counts), each of at most ``MAX_TERM_WORDS`` words and ``MAX_TERM_CHARS``
    characters. A term with punctuation or several words is checked against the text of the
    papers that have all its words, and twenty such terms in a 157-character link took half a
    minute per page at 200,000 papers. Beyond the bounds, later terms are left out and a long
    term is cut (a term matches at the start of a word, so a cut term finds at least what the
    whole one would): ``ignored`` says what, for the page to show.
    """
    terms: list[str] = []
    ignored: list[str] = []
    left_out: list[str] = []
    seen: set[str] = set()
    used = 0
    for chain, phrase, word in _SEARCH_TERM.findall(query.lower()):
        alternatives: list[str] = []
        for one in ([p or w for p, w in _ALTERNATIVE.findall(chain)] if chain
                    else [phrase or word]):
            # A | outside a chain of terms is no word: a space, as a quote is.
            term = _bounded(" ".join(one.replace('"', " ").replace(ALTERNATIVE, " ").split()),
                            ignored)
            if term and term not in alternatives:
                alternatives.append(term)
        key = ALTERNATIVE.join(alternatives)
        if not key or key in seen:
            continue
        seen.add(key)
        if used + len(alternatives) > MAX_SEARCH_TERMS:
            left_out.append(key)
            continue
        if key not in terms:
            terms.append(key)
            used += len(alternatives)
    if left_out:
        ignored.append(shorten(f"{len(left_out)} more terms left out (at most "
                               f"{MAX_SEARCH_TERMS}): " + ", ".join(map(repr, left_out)),
                               4 * _SHOWN_CHARS))
    return Search(tuple(terms), tuple(ignored))


def _bounded(term: str, ignored: list[str]) -> str:
    """The term cut to ``MAX_TERM_WORDS`` words and ``MAX_TERM_CHARS`` characters (noted)."""
    words = list(TERM_WORD.finditer(term))
    cut = term
    if len(words) > MAX_TERM_WORDS:
        cut = term[:words[MAX_TERM_WORDS - 1].end()]
    cut = cut[:MAX_TERM_CHARS]
    if cut != term:
        ignored.append(f"{shorten(term, _SHOWN_CHARS)!r} was cut to {cut!r} (at most "
                       f"{MAX_TERM_WORDS} words and {MAX_TERM_CHARS} characters a term)")
    return cut


def search_terms(query: str) -> list[str]:
    """The terms a search box looks for (``parse_search``, within its bounds)."""
    return list(parse_search(query).terms)


# Terms joined by | ('"large language model"|llm'), a quoted phrase, or any run of non-spaces.
_SEARCH_TERM = re.compile(r'((?:"[^"]+"|[^\s"|]+)(?:\|(?:"[^"]+"|[^\s"|]+))+)(?=\s|$)'
                          r'|"([^"]+)"|(\S+)')
_ALTERNATIVE = re.compile(r'"([^"]+)"|([^\s"|]+)')
