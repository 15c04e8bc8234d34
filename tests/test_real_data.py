"""`make check-real`: the product against real Daily Papers data that nobody on the team wrote.

The folder (``<repo>/../shared/real``, or ``PAPERTRENDS_REAL_DATA``) holds saved
``/api/daily_papers?date=`` responses, one file a day (``hf-api-days/``), and malformed saved
files (``hf-api-broken/``). Its files are read here, never copied into the project: the quirks
they showed have fixtures of the project's own in the unit tests (see ``hf_samples.py``).

The days are ingested one at a time, as a user adding a saved day after another would, and
fetched from a local server that answers each ``date=`` with its file; both stores must hold
the same papers, every page must render them, and every broken file must be refused with one
line and leave the store as it was. The expectations are computed from the files themselves
with code independent of the product's parsers. Skipped when the folder is absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import re
import shutil
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import REPO_ROOT, TOPICS_PATH
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest
from werkzeug import Request, Response

from papertrends import cli
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection
from papertrends.collection.store import Store
from papertrends.sources import http_client

pytestmark = pytest.mark.real

REAL_ENV = "PAPERTRENDS_REAL_DATA"
REAL = Path(os.environ.get(REAL_ENV) or REPO_ROOT.parent / "shared" / "real")
DAYS_DIR = REAL / "hf-api-days"
BROKEN = sorted((REAL / "hf-api-broken").glob("*.json"))
PAGES = ["pages/overview.py", "pages/trends.py", "pages/authors.py", "pages/keywords.py",
         "pages/github.py", "pages/explore.py", "pages/data.py"]
N_OF_M = re.compile(r"\*\*([\d,]+) of ([\d,]+) papers\*\*")
# Columns a paper's sources give it; the others say where and when it was stored.
CONTENT = ["paper_id", "title", "abstract", "published", "upvotes", "n_authors", "authors",
           "organization", "github_repos", "project_urls", "submitted_at", "github_stars",
           "ai_keywords", "ai_summary", "n_comments", "submitted_by", "topics"]

if not DAYS_DIR.is_dir():
    pytest.skip(f"no real data: {DAYS_DIR} does not exist (set {REAL_ENV} to the folder that "
                "holds hf-api-days/ and hf-api-broken/)", allow_module_level=True)


@dataclass(frozen=True)
class Day:
    """One saved Daily Papers response: the day is its file name."""

    day: dt.date
    path: Path
    entries: list[dict[str, Any]]


def tidy(text: str) -> str:
    return " ".join(text.split())


def papertrends(*args: str | Path) -> Result:
    """`papertrends ARGS` in this process (a subprocess per day would mostly import pandas)."""
    result = CliRunner().invoke(cli.main, [str(a) for a in args],
                                env={"PAPERTRENDS_DB": None, "PAPERTRENDS_TOPICS": None})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(result.exception)))
    return result


def contents(store: Store) -> pd.DataFrame:
    return store.load()[CONTENT].sort_values("paper_id", ignore_index=True)


@pytest.fixture(scope="module")
def days() -> list[Day]:
    found = [Day(dt.date.fromisoformat(path.stem), path, json.loads(path.read_bytes()))
             for path in sorted(DAYS_DIR.glob("*.json"))]
    assert found, f"{DAYS_DIR} holds no saved day"
    return found


@pytest.fixture(scope="module")
def latest(days: list[Day]) -> dict[str, dict[str, Any]]:
    """Each paper's entry on the last day it was listed: the sighting the store keeps."""
    return {entry["paper"]["id"]: entry for day in days for entry in day.entries}


@pytest.fixture(scope="module")
def ingested(days: list[Day], tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store grown by one `papertrends ingest DAY.json` per day, oldest first, each
    bringing the indexes beside it up to date (at the cost of that day's papers)."""
    store = Store(tmp_path_factory.mktemp("ingested") / "papers.duckdb")
    for day in days:
        result = papertrends("ingest", day.path, "--db", store.path, "--topics", TOPICS_PATH)
        assert result.exit_code == 0, f"{day.path}: {result.stderr}"
    return store


def _runs_of_days(days: list[Day]) -> Iterator[tuple[dt.date, dt.date]]:
    """(first, last) day of each month the files cover: the `fetch --since --until` ranges."""
    for _, month in itertools.groupby(days, key=lambda day: (day.day.year, day.day.month)):
        month = list(month)
        yield month[0].day, month[-1].day


@pytest.fixture(scope="module")
def fetched(days: list[Day], tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store filled by `papertrends fetch` from a server that answers each ``date=`` with
    that day's file, and a day without one with ``[]``, as Hugging Face answers a weekend."""
    by_day = {day.day.isoformat(): day.path for day in days}

    def answer(request: Request) -> Response:
        path = by_day.get(request.args.get("date", ""))
        return Response(path.read_bytes() if path else b"[]", content_type="application/json")

    store = Store(tmp_path_factory.mktemp("fetched") / "papers.duckdb")
    server = HTTPServer()
    server.expect_request("/api/daily_papers").respond_with_handler(answer)
    server.start()
    try:
        with pytest.MonkeyPatch.context() as patch:  # no polite pause between local requests
            patch.setattr(http_client, "DEFAULT_POLICY", dataclasses.replace(
                http_client.DEFAULT_POLICY, sleep=lambda seconds: None))
            for since, until in _runs_of_days(days):
                result = papertrends("fetch", "--since", since, "--until", until,
                                     "--endpoint", server.url_for("/"), "--db", store.path,
                                     "--topics", TOPICS_PATH)
                assert result.exit_code == 0, result.stderr
                assert ", 0 failed;" in result.stdout
    finally:
        server.stop()
    return store


# -- day by day ------------------------------------------------------------------------------

def test_every_day_is_ingested_and_logged(ingested: Store, days: list[Day], latest) -> None:
    papers = ingested.load(with_text=False)
    assert papers["paper_id"].is_unique
    assert set(papers["paper_id"]) == set(latest)
    log = ingested.ingest_log()
    assert log["source"].tolist() == [f"hf-api-json:{day.path.name}" for day in days]
    assert (log["new"] + log["updated"] + log["unchanged"]).tolist() == [
        len(day.entries) for day in days]


def test_a_paper_keeps_its_last_upvotes_and_every_sighting(ingested: Store,
                                                           days: list[Day]) -> None:
    seen: dict[str, list[int]] = {}
    for day in days:
        for entry in day.entries:
            if entry["paper"].get("upvotes") is not None:
                seen.setdefault(entry["paper"]["id"], []).append(entry["paper"]["upvotes"])
    papers = ingested.load(with_text=False).set_index("paper_id")
    assert {pid: papers.at[pid, "upvotes"] for pid in seen} == {
        pid: counts[-1] for pid, counts in seen.items()}
    snapshots = ingested.snapshots()  # oldest first
    assert snapshots.groupby("paper_id")["upvotes"].agg(list).to_dict() == seen


def test_no_stored_text_keeps_a_line_break_or_padding(ingested: Store) -> None:
    papers = ingested.load()
    texts = {name: papers[name].dropna().tolist()
             for name in ("title", "abstract", "organization", "ai_summary")}
    for name in ("authors", "ai_keywords"):
        texts[name] = [item for items in papers[name] for item in items]
    untidy = {name: [text for text in values if text != tidy(text)][:3]
              for name, values in texts.items()}
    assert untidy == {name: [] for name in texts}


def _difference(stored: Any, expected: Any) -> str:
    """Where two values differ, in a line: a title or an abstract is too long to print."""
    if not (isinstance(stored, str) and isinstance(expected, str)):
        return f"{stored!r}, expected {expected!r}"
    at = next((i for i, (a, b) in enumerate(zip(stored, expected, strict=False)) if a != b),
              min(len(stored), len(expected)))
    start = max(at - 20, 0)
    return (f"{stored[start:at + 20]!r}, expected {expected[start:at + 20]!r} "
            f"(from character {at})")


def _repository(url: str) -> str | None:
    """owner/repo of a githubRepo value, spelled as given (whitespace is a line wrap)."""
    found = re.match(r"https?://(?:www\.)?github\.com/([^/]+)/([^/?#]+)", "".join(url.split()),
                     re.IGNORECASE)
    return f"{found[1]}/{found[2].removesuffix('.git')}" if found else None


def test_every_field_is_stored_as_the_day_gave_it(ingested: Store, latest) -> None:
    wrong: list[str] = []
    for row in ingested.load().itertuples():
        paper = latest[row.paper_id]["paper"]
        organization = latest[row.paper_id].get("organization") or paper.get("organization")
        expected = {
            "title": tidy(paper["title"]),
            "abstract": tidy(paper["summary"]),
            "published": dt.date.fromisoformat(paper["publishedAt"][:10]),
            "n_authors": len(paper["authors"]) or None,  # hidden authors count too
            "github_stars": paper.get("githubStars"),  # absent: unknown, not 0
            "organization": organization and tidy(organization["fullname"]),
        }
        for name, value in expected.items():
            stored = getattr(row, name)
            if (None if stored is pd.NA else stored) != value:
                wrong.append(f"{row.paper_id}: {name} {_difference(stored, value)}")
        repos = {repo.lower() for repo in row.github_repos}
        pages = {url.rstrip("/").lower() for url in row.project_urls}
        page = "".join((paper.get("projectPage") or "").split())
        for field, repo in (("githubRepo", _repository(paper.get("githubRepo") or "")),
                            ("projectPage", _repository(page))):  # a repository is code
            if repo and repo.lower() not in repos:
                wrong.append(f"{row.paper_id}: {field} {repo} not in {list(row.github_repos)}")
        if (page.startswith("http") and "github.com/" not in page.lower()
                and page.rstrip("/").lower() not in pages):
            wrong.append(f"{row.paper_id}: projectPage {page!r} not in {list(row.project_urls)}")
        keywords = [k for k in row.ai_keywords]
        given = {tidy(k).casefold() for k in paper.get("ai_keywords") or [] if k.strip()}
        if len(keywords) != len(given) or {k.casefold() for k in keywords} != given:
            wrong.append(f"{row.paper_id}: ai_keywords {keywords}, expected one each of {given}")
    assert wrong == [], "\n".join(wrong)


def test_a_phrase_wrapped_in_a_title_is_found(ingested: Store, latest) -> None:
    """For every title the API sent with a line wrap, the two words either side of the wrap,
    searched as a quoted phrase, find that paper."""
    collection = Collection(ingested.load(), store=ingested)  # the texts in memory: quicker
    ids = collection.papers["paper_id"].to_numpy()
    missed = []
    for paper_id, entry in latest.items():
        for before, after in re.findall(r"(\w+)\n\s*(\w+)", entry["paper"]["title"]):
            phrase = f'"{before} {after}"'
            if paper_id not in ids[Filters(search=phrase).mask(collection)]:
                missed.append((paper_id, phrase))
    assert missed == []


# -- fetched -------------------------------------------------------------------------------

def test_fetching_the_days_stores_the_same_papers(fetched: Store, ingested: Store) -> None:
    pd.testing.assert_frame_equal(contents(fetched), contents(ingested))


def test_every_fetched_day_is_marked_with_its_papers(fetched: Store, days: list[Day]) -> None:
    marked = fetched.fetched_days()
    listed = dict(zip(marked["day"], marked["n_papers"], strict=True))
    assert {day.day: listed.get(day.day) for day in days} == {
        day.day: len(day.entries) for day in days}
    assert not [day for day, n in listed.items() if n and day not in {d.day for d in days}]


# -- exported ------------------------------------------------------------------------------

def test_the_csv_export_ingests_back_to_the_same_papers(ingested: Store, tmp_path: Path) -> None:
    out = tmp_path / "papers.csv"
    result = papertrends("export", "--out", out, "--db", ingested.path, "--topics", TOPICS_PATH)
    assert result.exit_code == 0, result.stderr
    again = Store(tmp_path / "again.duckdb")
    result = papertrends("ingest", out, "--db", again.path, "--topics", TOPICS_PATH)
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(contents(again), contents(ingested))  # ids as written, too


# -- the dashboard ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dashboard(ingested: Store) -> Iterator[AppTest]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERTRENDS_DB", str(ingested.path))
        patch.chdir(REPO_ROOT)
        app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
        app.run()
        yield app


def _n_of_m(app: AppTest) -> tuple[int, int]:
    for block in app.markdown:
        found = N_OF_M.search(block.value)
        if found:
            return int(found[1].replace(",", "")), int(found[2].replace(",", ""))
    raise AssertionError("no 'N of M papers' line on the page")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_every_paper(dashboard: AppTest, latest, page: str) -> None:
    dashboard.switch_page(page).run()
    assert not dashboard.exception, [e.value for e in dashboard.exception]
    assert not dashboard.error, [e.value for e in dashboard.error]
    assert _n_of_m(dashboard) == (len(latest), len(latest))
    for table in dashboard.dataframe:
        if "title" in table.value:
            assert not table.value["title"].str.contains("\n").any()


def test_the_most_upvoted_are_the_most_upvoted(dashboard: AppTest, latest) -> None:
    """The API lists a day in no upvote order: the Overview's top ten must sort."""
    dashboard.switch_page("pages/overview.py").run()
    top = next(table.value for table in dashboard.dataframe if "upvotes" in table.value)
    assert top["upvotes"].tolist() == sorted(
        (entry["paper"]["upvotes"] for entry in latest.values()), reverse=True)[:len(top)]


# -- refused -------------------------------------------------------------------------------

def _everything(store: Store) -> tuple[pd.DataFrame, ...]:
    return store.load(), store.ingest_log(), store.snapshots(), store.fetched_days()


@pytest.fixture(scope="module")
def copied(ingested: Store, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[Store, tuple[pd.DataFrame, ...]]:
    """A copy of the ingested store to refuse files into (a file let in spoils no other test),
    and what it holds."""
    path = tmp_path_factory.mktemp("refusing") / "papers.duckdb"
    shutil.copy(ingested.path, path)
    return Store(path), _everything(Store(path))


@pytest.mark.skipif(not BROKEN, reason=f"no broken saved files in {REAL / 'hf-api-broken'}")
@pytest.mark.parametrize("path", BROKEN, ids=[path.name for path in BROKEN])
def test_a_broken_saved_file_is_refused_and_stores_nothing(copied, path: Path) -> None:
    store, before = copied
    result = papertrends("ingest", path, "--db", store.path, "--topics", TOPICS_PATH)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}") and ("expected" in line or "holds" in line), line
    for old, new in zip(before, _everything(store), strict=True):
        pd.testing.assert_frame_equal(new, old)
