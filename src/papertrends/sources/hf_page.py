"""Parse the text of a saved Hugging Face Papers page (the shipped seed's format).

The page is a sequence of blank-line separated paragraphs: a one-line title, the abstract,
then usually a meta paragraph::

      • 15 authors            (or an organisation name, e.g. "facebook AI at Meta")
    ·
    Dec 27, 2024 3            (date, then the upvote count when there is one)

A paper without a meta paragraph has unknown authors, date and upvotes: they stay missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papertrends.common.errors import InputError

log = logging.getLogger(__name__)

FORMAT = "hf-page"

_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
_DATE = re.compile(
    r"^(?P<month>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<upvotes>\d+))?$"
)
_AUTHORS = re.compile(r"^•\s*(?P<n>\d+)\s+authors?$")
_SEPARATOR = "·"
_HEADER_LINES = {
    "new", "get trending papers in your email inbox!", "subscribe", "daily papers",
    "byak and the research community", "papers", "trending papers",
}
_MAX_TITLE_CHARS = 500
_MAX_COUNT = 2**63 - 1  # counts are stored as 64-bit integers


@dataclass(frozen=True)
class _Paragraph:
    first_line: int  # 1-based line number in the file
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass
class _RawDate:
    line: int
    month: int
    day: int
    year: int | None


def looks_like_hf_page(text: str) -> bool:
    """Cheap sniff used by format auto-detection."""
    head = text[:20_000]
    return bool(re.search(r"^\s*•\s*\d+\s+authors?\s*$", head, re.M)) or (
        "Daily Papers" in head and not head.lstrip().startswith(("{", "["))
    )


def parse_hf_page(text: str, *, year: int | None = None, path: str | Path | None = None,
                  source: str | None = None) -> list[dict[str, Any]]:
    """Parse page text into paper records (title, abstract, published, upvotes, n_authors, ...).

    ``year`` is the capture year for dates printed without one. When it is None it is inferred
    as the year after the newest explicit year on the page, or the current year when no date
    carries a year. Raises InputError naming the line when the text is not in this format.
    """
    try:
        papers, dates = _parse(_paragraphs(text))
    except InputError as error:
        raise (error.at(path) if path is not None else error) from None
    capture_year = year if year is not None else _infer_year(dates, path)
    label = source or f"{FORMAT}:{Path(path).name if path is not None else 'text'}"
    for paper in papers:
        raw: _RawDate | None = paper.pop("_date")
        paper["published"] = None
        if raw is not None:
            try:
                paper["published"] = dt.date(raw.year or capture_year, raw.month, raw.day)
            except ValueError as exc:
                raise InputError(f"not a calendar date ({exc})", path=path, line=raw.line,
                                 field="published") from None
        paper["source"] = label
    return papers


def _paragraphs(text: str) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            paragraphs.append(_Paragraph(start, tuple(current)))
            current = []
    if current:
        paragraphs.append(_Paragraph(start, tuple(current)))
    return paragraphs


def _is_header(paragraph: _Paragraph) -> bool:
    return all(
        line.lower() in _HEADER_LINES or (_DATE.match(line) and not _DATE.match(line)["upvotes"])
        for line in paragraph.lines
    )


def _is_meta(paragraph: _Paragraph) -> bool:
    return _SEPARATOR in paragraph.lines or bool(_AUTHORS.match(paragraph.lines[0]))


def _parse(paragraphs: list[_Paragraph]) -> tuple[list[dict[str, Any]], list[_RawDate]]:
    index = 0
    while index < len(paragraphs) and _is_header(paragraphs[index]):
        index += 1
    if index == len(paragraphs):
        raise InputError("no papers found: expected a title, an abstract and an author/date block")

    papers: list[dict[str, Any]] = []
    dates: list[_RawDate] = []
    while index < len(paragraphs):
        title = paragraphs[index]
        if _is_meta(title):
            raise InputError("expected a paper title, found an author/date block",
                             line=title.first_line, field="title")
        if len(title.lines) > 1 or len(title.text) > _MAX_TITLE_CHARS:
            raise InputError(
                "expected a one-line paper title followed by a blank line and the abstract",
                line=title.first_line, field="title")
        if index + 1 >= len(paragraphs) or _is_meta(paragraphs[index + 1]):
            where = paragraphs[index + 1].first_line if index + 1 < len(paragraphs) else None
            raise InputError(f"paper {title.text[:60]!r} has no abstract after its title",
                             line=where or title.first_line, field="abstract")
        abstract = paragraphs[index + 1]
        paper: dict[str, Any] = {
            "title": title.text,
            "abstract": abstract.text,
            "n_authors": None,
            "organization": None,
            "upvotes": None,
            "_date": None,
        }
        index += 2
        if index < len(paragraphs) and _is_meta(paragraphs[index]):
            _read_meta(paragraphs[index], paper)
            if paper["_date"] is not None:
                dates.append(paper["_date"])
            index += 1
        papers.append(paper)
    return papers, dates


def _read_meta(paragraph: _Paragraph, paper: dict[str, Any]) -> None:
    lines = paragraph.lines
    if len(lines) != 3 or lines[1] != _SEPARATOR:
        raise InputError(
            "expected an author/date block of three lines: '• N authors' or an organisation, "
            f"then '{_SEPARATOR}', then a date such as 'Dec 27, 2024 3'",
            line=paragraph.first_line, field="n_authors")
    who, _, when = lines
    authors = _AUTHORS.match(who)
    if authors:
        count = int(authors["n"])
        if count == 0 or count > _MAX_COUNT:
            raise InputError("an author count must be at least 1" if count == 0 else
                             f"an author count of {count} is too large to be real",
                             line=paragraph.first_line, field="n_authors")
        paper["n_authors"] = count
    elif who.startswith("•"):
        raise InputError(f"expected '• N authors', found {who!r}",
                         line=paragraph.first_line, field="n_authors")
    else:
        paper["organization"] = who
    date_line = paragraph.first_line + 2
    match = _DATE.match(when)
    if not match or match["month"] not in _MONTHS:
        raise InputError(f"expected a date such as 'Dec 27, 2024' or 'Sep 22 3', found {when!r}",
                         line=date_line, field="published")
    paper["_date"] = _RawDate(date_line, _MONTHS[match["month"]], int(match["day"]),
                              int(match["year"]) if match["year"] else None)
    paper["upvotes"] = int(match["upvotes"]) if match["upvotes"] else 0
    if paper["upvotes"] > _MAX_COUNT:
        raise InputError(f"an upvote count of {paper['upvotes']} is too large to be real",
                         line=date_line, field="upvotes")


def _infer_year(dates: list[_RawDate], path: str | Path | None) -> int:
    explicit = [d.year for d in dates if d.year is not None]
    if not any(d.year is None for d in dates):
        return dt.date.today().year  # nothing to infer; the value is unused
    where = f"{path}: " if path is not None else ""
    if explicit:
        year = max(explicit) + 1
        log.info("%sdates without a year taken as %d (the year after the newest explicit year, "
                 "%d); pass --year to set it", where, year, max(explicit))
    else:
        year = dt.date.today().year
        log.info("%sno date on the page carries a year: dates taken as %d (this year); "
                 "pass --year to set it", where, year)
    return year
