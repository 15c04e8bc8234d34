"""Every page through AppTest, opened from a hostile link, on hostile files and papers: values
are shown as written (plain text, never Markdown), bad numbers are a note, not a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from hf_samples import body, entry
from markup import assert_shown_as_plain_text, markdown_sources, outside_code, plain_texts
from streamlit.testing.v1 import AppTest

from papertrends.collection import pipeline
from papertrends.collection.store import Store
from papertrends.collection.topics import load_taxonomy
from papertrends.sources.hf_api import parse_hf_api

PAGES = ["pages/overview.py", "pages/trends.py", "pages/authors.py", "pages/keywords.py",
         "pages/github.py", "pages/explore.py", "pages/data.py"]

# A phishing link, a tracking pixel and math, each in a parameter the link may not set so.
PHISHING = "[Sign in again](https://evil.example/login)"
PIXEL = "![t](https://evil.example/pixel.png)"
MATH = "$x^2$"


@pytest.fixture
def store(seed_store: Store, tmp_path: Path, monkeypatch) -> Store:
    """A writable copy of the seed store, the one the pages read."""
    path = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, path)
    monkeypatch.setenv("PAPERTRENDS_DB", str(path))
    monkeypatch.chdir(REPO_ROOT)
    return Store(path)


def opened(page: str, **params: str) -> AppTest:
    """``page`` as a visitor following a link with ``params`` sees it: its first run."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_rejected_link_values_are_shown_as_plain_text(store, page):
    at = opened(page, **{"from": PHISHING, "code": PIXEL, "to": MATH})
    [warning] = [w.value for w in at.sidebar.warning]
    assert warning.startswith("Ignored link parameters: ") and {"from", "to", "code"} <= set(
        warning.removeprefix("Ignored link parameters: ").split(".")[0].split(", "))
    for shown in (f"from={PHISHING!r}", f"code={PIXEL!r}", f"to={MATH!r}"):
        assert_shown_as_plain_text(at, shown)
    assert not any(MATH in source for source in markdown_sources(at))


@pytest.mark.parametrize("page", PAGES)
def test_a_searched_address_is_plain_text_in_the_page_header(store, page):
    """A bare URL, a www. address and an e-mail become links in Markdown whatever is
    escaped; the header shows the search terms as plain text."""
    query = "https://evil.example/phish www.evil.example ann@evil.example :material/home: :+1:"
    at = opened(page, q=query)
    assert_shown_as_plain_text(at, "matching 'https://evil.example/phish' and "
                                   "'www.evil.example' and 'ann@evil.example' and "
                                   "':material/home:' and ':+1:'")
    assert not any(":material/home:" in s or ":+1:" in s for s in markdown_sources(at))


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", [
    {"min_upvotes": HUGE, "authors_min": HUGE, "authors_max": HUGE},
    {"min_upvotes": "-3", "authors_min": "nan", "authors_max": "inf"},
    {"min_upvotes": "1e400", "authors_min": "-inf", "authors_max": "9" * 5000},
], ids=["huge", "negative-nan-inf", "1e400-5000-digits"])
def test_numbers_no_filter_can_take_are_a_note_not_a_traceback(store, page, params):
    at = opened(page, **params)
    [warning] = [w.value for w in at.sidebar.warning]
    assert warning.startswith("Ignored link parameters: min_upvotes, authors_min, authors_max")
    [shown] = [t for t in plain_texts(at) if t.startswith("min_upvotes=")]
    assert all(len(line) < 80 for line in shown.splitlines()), "a long value is cut short"
    if page != "pages/data.py":
        assert any("**98 of 98 papers**" in source for source in markdown_sources(at))
    assert at.number_input(key="f_min_upvotes").value == 0


def _store_with(store: Store, *entries: dict) -> None:
    """Add Daily Papers entries to the store, as the Data page's upload does."""
    pipeline.ingest(store, [("hf-api-json:day.json", parse_hf_api(body(*entries)))],
                    load_taxonomy())


HOSTILE_KEYWORD = "**Win** $x^2$ [prize](https://evil.example/k)"


def test_a_keyword_is_plain_text_in_the_term_tooltip_and_caption(store):
    """An HF keyword is any string a paper carries: the line saying how it is searched, the
    listed papers' description and the "Filter by this" tooltip show none of it as
    Markdown."""
    _store_with(store, *(entry(f"2510.0731{n}", f"Paper {n}", ai_keywords=[HOSTILE_KEYWORD])
                         for n in range(3)))
    at = opened("pages/keywords.py")
    at.button_group(key="kw_source").set_value("keywords").run()
    assert not at.exception
    [term] = [s.value for s in at.selectbox if s.key.startswith("kw_term_")]
    assert term == HOSTILE_KEYWORD  # the only keyword: the picked term
    [button] = [b for b in at.button if b.label == "Filter by this"]
    assert "evil.example" not in button.help and "$" not in button.help
    assert_shown_as_plain_text(at, f'"{HOSTILE_KEYWORD.lower()}": words starting with it')
    assert_shown_as_plain_text(at, "matching '**win** $x^2$")  # the list's description


def test_an_uploaded_file_name_and_its_error_are_shown_as_written(store):
    name = "[Sign in](mailto:ann@evil.example) www.evil.example **$x$** <b>.csv"
    at = opened("pages/data.py")
    at.file_uploader(key="data_upload").upload(name, b"title,abstract\n\"open,quote\n",
                                               "text/csv").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert name in error and "evil.example" not in outside_code(error)
    assert not any("evil.example" in outside_code(s) for s in markdown_sources(at))


def test_a_selected_papers_title_is_plain_text_on_explore(store):
    title = "[Sign in](https://evil.example/t) **$x^2$** <img src=https://evil.example/p.png>"
    _store_with(store, entry("2510.07312", title, upvotes=10_000))  # the most upvoted: row 0
    at = opened("pages/explore.py")
    at.session_state["explore_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert_shown_as_plain_text(at, title)


TWENTY_TERMS = " ".join(f"{a}-{b}" for a, b in zip("abcdefghijklmnopqrst", "tsrqponmlkjihgfedcba",
                                                   strict=True))


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/explore.py"])
def test_a_search_past_its_bounds_says_what_it_left_out(store, page):
    """From a link, and typed into the box: eight terms are searched, the header names them,
    and a note under the search box lists the rest as written."""
    at = opened(page, q=TWENTY_TERMS)
    searched = TWENTY_TERMS.split()[:8]
    notes = [w.value for w in at.sidebar.warning if "search" in w.value]
    assert notes == ["Part of the search was ignored, to keep pages quick:"]
    assert_shown_as_plain_text(at, "12 more terms left out (at most 8): 'i-l', 'j-k', 'k-j'",
                               marker="i-l")
    assert_shown_as_plain_text(at, "matching " + " and ".join(f"'{t}'" for t in searched),
                               marker="a-t")

    at.text_input(key="f_search").input("agent " + "w" * 100).run()
    assert not at.exception
    assert_shown_as_plain_text(at, f"'{'w' * 59}\N{HORIZONTAL ELLIPSIS}' was cut to "
                                   f"'{'w' * 60}'", marker="wwww")
    at.text_input(key="f_search").input("agent").run()
    assert not [w for w in at.sidebar.warning if "search" in w.value]


@pytest.mark.parametrize("value", ["plain", "a `tick` and ``two``", "`starts and ends`",
                                   "line one\nline two ```"])
def test_literal_code_cannot_be_closed_by_the_value(value):
    from papertrends.app.widgets import literal

    code = literal(value)
    fence = code.strip().split(" " if "\n" not in value else "\n")[0]
    assert set(fence) == {"`"} and fence not in value  # longer than any run of the value
    assert code.strip().endswith(fence) and value in code
