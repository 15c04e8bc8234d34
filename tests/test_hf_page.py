"""The saved Hugging Face Papers page: the shipped seed, format variants, errors, fuzzing."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.collection import schema
from papertrends.collection.store import Store
from papertrends.common.errors import InputError
from papertrends.sources import hf_page, read_bytes
from papertrends.sources.hf_page import parse_hf_page

D = dt.date
OS_GENESIS = "OS-Genesis: Automating GUI Agent Trajectory Construction via Reverse Task Synthesis"
PROMST = ("PRompt Optimization in Multi-Step Tasks (PROMST): Integrating Human Feedback and "
          "Heuristic-based Sampling")
WALTZ = "The Alignment Waltz: Jointly Training Agents to Collaborate for Safety"
NO_META_TITLES = {
    "ColorAgent: Building A Robust, Personalized, and Interactive OS Agent",
    "BIRD-INTERACT: Re-imagining Text-to-SQL Evaluation for Large Language Models via Lens of "
    "Dynamic Interactions",
    "Thinking vs. Doing: Agents that Reason by Scaling Test-Time Interaction",
    "Sotopia-RL: Reward Design for Social Intelligence",
    "BTL-UI: Blink-Think-Link Reasoning Model for GUI Agent",
    "APIGen-MT: Agentic Pipeline for Multi-Turn Data Generation via Simulated Agent-Human "
    "Interplay",
    "AI Agent Behavioral Science",
}


@pytest.fixture(scope="module")
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_records(seed_text: str) -> list[dict]:
    return parse_hf_page(seed_text)


@pytest.fixture(scope="module")
def by_title(seed_records: list[dict]) -> dict[str, dict]:
    return {record["title"]: record for record in seed_records}


@pytest.fixture(scope="module")
def seed_frame(seed_store: Store) -> pd.DataFrame:
    return seed_store.load().set_index("title")


# -- the shipped seed -----------------------------------------------------------------------

def test_seed_has_98_papers_in_page_order(seed_records: list[dict]) -> None:
    assert len(seed_records) == 98
    assert len({r["title"] for r in seed_records}) == 98
    assert seed_records[0]["title"] == OS_GENESIS
    assert seed_records[-1]["title"] == PROMST


@pytest.mark.parametrize(("title", "n_authors", "organization", "published", "upvotes"), [
    (OS_GENESIS, 15, None, D(2024, 12, 27), 3),
    (PROMST, 6, None, D(2024, 2, 13), 0),  # date line without a count: 0 upvotes
    (WALTZ, None, "facebook AI at Meta", D(2025, 10, 9), 2),  # organisation, no author count
    ("ColorAgent: Building A Robust, Personalized, and Interactive OS Agent",
     None, None, None, None),  # no meta block at all
    ("OnePiece: Bringing Context Engineering and Reasoning to Industrial Cascade Ranking System",
     16, None, D(2025, 9, 22), 3),  # "Sep 22 3": yearless, taken as 2025
    ("Protein Multimer Structure Prediction via Prompt Learning", 6, None, D(2024, 2, 28), 0),
    ("Real-World Image Variation by Aligning Diffusion Inversion Chain", 4, None,
     D(2023, 5, 30), 1),
    ("Agentic Reinforced Policy Optimization", 14, None, D(2025, 7, 26), 8),  # "Jul 26 8"
    ("Conversation Routines: A Prompt Engineering Framework for Task-Oriented Dialog Systems",
     1, None, D(2025, 1, 20), 0),  # "• 1 author", yearless without a count
])
def test_seed_paper_fields(by_title, title, n_authors, organization, published, upvotes) -> None:
    record = by_title[title]
    assert (record["n_authors"], record["organization"], record["published"],
            record["upvotes"]) == (n_authors, organization, published, upvotes)
    assert record["abstract"] and "\n" not in record["abstract"]


def test_seed_first_and_last_abstracts(by_title) -> None:
    assert by_title[OS_GENESIS]["abstract"].startswith(
        "Graphical User Interface (GUI) agents powered by Vision-Language Models (VLMs)")
    assert by_title[PROMST]["abstract"].endswith(
        "Project Page is available at https://yongchao98.github.io/MIT-REALM-PROMST.")


def test_papers_without_meta_block_have_unknown_authors_date_and_upvotes(seed_records) -> None:
    no_meta = [r for r in seed_records if r["published"] is None]
    assert {r["title"] for r in no_meta} == NO_META_TITLES
    for record in no_meta:
        assert record["n_authors"] is None and record["upvotes"] is None
        assert record["organization"] is None


def test_unknown_author_count_is_missing_never_zero(seed_records, seed_frame) -> None:
    assert all(r["n_authors"] is None or r["n_authors"] >= 1 for r in seed_records)
    assert {r["title"] for r in seed_records if r["n_authors"] is None} == NO_META_TITLES | {WALTZ}
    # ... and stays missing through the store (pd.NA, not 0 or NaN-turned-0).
    assert seed_frame["n_authors"].isna().sum() == 8
    assert seed_frame.loc[WALTZ, "n_authors"] is pd.NA
    assert (seed_frame["n_authors"].dropna() > 0).all()
    assert seed_frame.loc[WALTZ, "organization"] == "facebook AI at Meta"


def test_yearless_dates_take_the_year_after_the_newest_explicit_year(seed_text, caplog) -> None:
    with caplog.at_level(logging.INFO, logger=hf_page.__name__):
        records = parse_hf_page(seed_text, path="seed.txt")
    inferred = [m for m in caplog.messages if "without a year" in m]
    assert len(inferred) == 1
    assert "seed.txt" in inferred[0] and "2025" in inferred[0] and "2024" in inferred[0]
    years = pd.Series([r["published"].year for r in records if r["published"]])
    assert years.max() == 2025 and (years == 2025).sum() == 31  # the 31 "Mon D" date lines


def test_year_argument_overrides_the_inference(seed_text, caplog) -> None:
    with caplog.at_level(logging.INFO, logger=hf_page.__name__):
        records = {r["title"]: r for r in parse_hf_page(seed_text, year=2023)}
    assert not [m for m in caplog.messages if "without a year" in m]
    assert records[WALTZ]["published"] == D(2023, 10, 9)
    assert records[OS_GENESIS]["published"] == D(2024, 12, 27)  # explicit years are kept


def test_page_without_any_year_uses_this_year(caplog) -> None:
    with caplog.at_level(logging.INFO, logger=hf_page.__name__):
        [record] = parse_hf_page("T\n\nabstract\n\n• 2 authors\n·\nMar 3 7\n")
    assert record["published"] == D(dt.date.today().year, 3, 3)
    assert len([m for m in caplog.messages if "this year" in m]) == 1


def test_seed_links(seed_frame) -> None:
    """Links come from the abstracts, normalised by enrichment on the way into the store."""
    assert list(seed_frame.loc[OS_GENESIS, "github_repos"]) == []
    assert list(seed_frame.loc[OS_GENESIS, "project_urls"]) == [
        "https://qiushisun.github.io/OS-Genesis-Home/"]
    assert list(seed_frame.loc[PROMST, "github_repos"]) == ["yongchao98/PROMST"]
    assert list(seed_frame.loc[PROMST, "project_urls"]) == [
        "https://yongchao98.github.io/MIT-REALM-PROMST"]
    flows = seed_frame.loc["Flows: Building Blocks of Reasoning and Collaborating AI"]
    assert list(flows["github_repos"]) == ["epfl-dlab/aiflows", "epfl-dlab/cc_flows"]
    assert list(flows["project_urls"]) == []
    assert seed_frame["github_repos"].list.len().gt(0).sum() == 16


# -- format variants ------------------------------------------------------------------------

CLEAN = """\
new

Get trending papers in your email inbox!

Daily Papers

Oct 28

First Paper: A Title

The first abstract, see https://github.com/acme/first.

  • 3 authors
·
Mar 3, 2024 5

Second Paper

Second abstract.

Some Org Name
·
Sep 22

Third Paper Without Meta

Third abstract.

Fourth Paper

Fourth abstract,
on two lines.

• 1 author
·
Jan 5, 2023 12
"""

CLEAN_RECORDS = [
    {"title": "First Paper: A Title",
     "abstract": "The first abstract, see https://github.com/acme/first.",
     "n_authors": 3, "organization": None, "upvotes": 5, "published": D(2024, 3, 3)},
    {"title": "Second Paper", "abstract": "Second abstract.",
     "n_authors": None, "organization": "Some Org Name", "upvotes": 0, "published": D(2025, 9, 22)},
    {"title": "Third Paper Without Meta", "abstract": "Third abstract.",
     "n_authors": None, "organization": None, "upvotes": None, "published": None},
    {"title": "Fourth Paper", "abstract": "Fourth abstract, on two lines.",
     "n_authors": 1, "organization": None, "upvotes": 12, "published": D(2023, 1, 5)},
]


def _without_header(text: str) -> str:
    return text[text.index("First Paper"):]


VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr only": lambda t: t.replace("\n", "\r"),
    "trailing spaces": lambda t: t.replace("\n", "   \t\n"),
    "several blank lines": lambda t: t.replace("\n\n", "\n\n\n\n"),
    "blank lines of spaces": lambda t: t.replace("\n\n", "\n    \n \t\n"),
    "leading blank lines": lambda t: "\n\n\n" + t,
    "missing header": _without_header,
    "no newline at end": lambda t: t.rstrip("\n"),
    "bullets not indented": lambda t: t.replace("  •", "•"),
    "bullets indented": lambda t: t.replace("•", "\t    •"),
    "bullet without space": lambda t: t.replace("• ", "•"),
    "everything at once": lambda t: _without_header(t).replace("•", "    •").replace(
        "\n\n", "\n \n\n").replace("\n", " \r\n").rstrip(),
}


def _fields(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "source"} for r in records]


def test_clean_page_parses_to_the_expected_records() -> None:
    records = parse_hf_page(CLEAN, source="test")
    assert _fields(records) == CLEAN_RECORDS
    assert {r["source"] for r in records} == {"test"}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_format_variants_give_the_same_records(variant) -> None:
    assert _fields(parse_hf_page(variant(CLEAN))) == CLEAN_RECORDS


@pytest.mark.parametrize("variant", ["crlf", "trailing spaces", "no newline at end"])
def test_seed_variants_give_the_same_records(seed_text, seed_records, variant) -> None:
    assert parse_hf_page(VARIANTS[variant](seed_text)) == seed_records


def test_read_bytes_accepts_a_byte_order_mark_and_detects_the_format() -> None:
    fmt, table = read_bytes(b"\xef\xbb\xbf" + CLEAN.encode(), "saved.html.txt")
    assert fmt == "hf-page"
    assert table.num_rows == 4
    assert table["title"][0].as_py() == "First Paper: A Title"
    assert table["source"][0].as_py() == "hf-page:saved.html.txt"


# -- errors name the line and the field -----------------------------------------------------

PAPER = "T1\n\nabstract one\n\n"  # lines 1-4; a meta block then starts on line 5


@pytest.mark.parametrize(("text", "line", "field"), [
    (PAPER + "• 3 authors\n·\nDec 45, 2024 3\n", 7, "published"),
    (PAPER + "• 3 authors\n·\nFeb 30, 2024\n", 7, "published"),
    (PAPER + "• 3 authors\n·\nFoo 3, 2024\n", 7, "published"),
    (PAPER + "• 3 authors\n·\nyesterday\n", 7, "published"),
    (PAPER + "• 3 authors\n·\nFeb 29\n\nT2\n\nabstract\n\n• 1 author\n·\nMar 1, 2024\n",
     7, "published"),  # yearless Feb 29 falls in 2025, which has no Feb 29
    (PAPER + "• 3 authors\n·\nMar 3, 2024 99999999999999999999\n", 7, "upvotes"),
    (PAPER + "• 0 authors\n·\nMar 3, 2024\n", 5, "n_authors"),
    (PAPER + "• many authors\n·\nMar 3, 2024\n", 5, "n_authors"),
    (PAPER + "• 99999999999999999999 authors\n·\nMar 3, 2024\n", 5, "n_authors"),
    (PAPER + "• 3 authors\n·\n", 5, "n_authors"),  # block of two lines
    (PAPER + "• 3 authors\nMar 3, 2024\n·\n", 5, "n_authors"),  # lines out of order
    (PAPER + "• 3 authors\n·\nMar 3, 2024\n\n• 2 authors\n·\nMar 4, 2024\n", 9, "title"),
    ("• 3 authors\n·\nMar 3, 2024\n", 1, "title"),  # a meta block where a title is expected
    ("T1\n\n• 3 authors\n·\nMar 3, 2024\n", 3, "abstract"),  # a title with no abstract
    (PAPER + "T2\n", 5, "abstract"),  # the page ends after a title
    ("A title\nthat runs on\n\nabstract\n", 1, "title"),  # a title of several lines
    (PAPER + "x" * 501 + "\n\nabstract\n", 5, "title"),
])
def test_bad_text_raises_input_error_naming_line_and_field(text, line, field) -> None:
    with pytest.raises(InputError) as caught:
        parse_hf_page(text, path="page.txt")
    error = caught.value
    assert (error.line, error.field, error.path) == (line, field, "page.txt")
    assert str(error).startswith(f"page.txt, line {line}, field {field}: ")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "new\n\nDaily Papers\n\nOct 28\n"],
                         ids=["empty", "blank", "header only"])
def test_page_without_papers_raises_input_error(text) -> None:
    with pytest.raises(InputError, match="no papers found") as caught:
        parse_hf_page(text, path="page.txt")
    assert caught.value.path == "page.txt"


def test_bad_page_read_from_bytes_names_the_file() -> None:
    with pytest.raises(InputError) as caught:
        read_bytes((PAPER + "• 3 authors\n·\nDec 45, 2024\n").encode(), "dir/page.txt")
    assert str(caught.value).startswith("dir/page.txt, line 7, field published: ")
    with pytest.raises(InputError, match="not UTF-8"):
        read_bytes(b"T\n\n\xff\xfe abstract\n", "page.txt")


# -- fuzzing: a record list or an InputError, nothing else -----------------------------------

FRAGMENTS = st.sampled_from([
    "", "", "", " ", "Daily Papers", "new", "Oct 28", "A Paper Title", "Another: Title (X)",
    "An abstract with https://github.com/a/b.", "• 3 authors", "  • 1 author", "• 0 authors",
    "•", "·", "··", "Mar 3, 2024 5", "Mar 3, 2024", "Sep 22 3", "Feb 29", "Dec 45, 2024",
    "Jan 1, 0000", "Dec 31, 9999", "Foo 3, 2024", "Mar 3, 2024 99999999999999999999",
    "facebook AI at Meta", "\t", "\r", "\u2028", "\x0c",
])
PAGES = st.lists(FRAGMENTS, max_size=40).map("\n".join)


def _parses_or_input_error(text: str) -> None:
    try:
        records = parse_hf_page(text)
    except InputError:
        return
    assert isinstance(records, list) and records
    assert all(r["title"] and r["abstract"] for r in records)
    # Whatever parses must also become a table: counts fit the schema's integer columns.
    assert schema.to_table(records).num_rows == len(records)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_raises_input_error(text: str) -> None:
    _parses_or_input_error(text)


@settings(max_examples=200, deadline=None)
@given(PAGES)
def test_page_like_text_parses_or_raises_input_error(text: str) -> None:
    _parses_or_input_error(text)
