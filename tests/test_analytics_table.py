"""The Explore table: the first rows in the chosen order, however many papers there are."""

from __future__ import annotations

import pandas as pd
import pytest

from papertrends.analytics.summary import compute_top_papers
from papertrends.analytics.table import SORT_KEYS, compute_paper_table


@pytest.fixture(scope="module")
def papers(seed_store) -> pd.DataFrame:
    return seed_store.load()


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_a_short_table_is_the_head_of_the_full_order(papers, sort):
    """Finding the cut first (for numbers and dates) gives the rows a full sort gives."""
    column, ascending = SORT_KEYS[sort]
    expected = papers.sort_values([column, "title"], ascending=[ascending, True],
                                  na_position="last").head(10)
    table = compute_paper_table(papers, sort, limit=10)
    assert table["paper_id"].tolist() == expected["paper_id"].tolist()


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_pages_of_the_table_follow_on_from_each_other(papers, sort):
    """Page after page, in the full order: every paper once, the last page short."""
    whole = compute_paper_table(papers, sort, limit=len(papers))
    pages = [compute_paper_table(papers, sort, limit=7, offset=offset)
             for offset in range(0, len(papers), 7)]
    assert [row for page in pages for row in page["paper_id"]] == whole["paper_id"].tolist()
    assert len(pages[-1]) == len(papers) % 7 or 7


def test_abstracts_are_looked_up_for_the_rows_shown_and_shortened(papers):
    light = papers.drop(columns=["abstract"])
    asked = []

    def abstracts(labels):
        asked.extend(labels)
        return papers["abstract"].loc[labels]

    table = compute_paper_table(light, "Upvotes", limit=5, abstracts=abstracts)
    assert sorted(asked) == sorted(table.index)  # only the rows shown are read
    for label, row in table.iterrows():
        full = papers.loc[label, "abstract"]
        assert full.startswith(row["abstract"].removesuffix("…"))
        assert len(row["abstract"]) <= 221
    assert table.index.tolist() == compute_paper_table(papers, "Upvotes", limit=5).index.tolist()


def test_most_upvoted_are_the_head_of_the_full_order(papers):
    """Overview's top ten: most upvotes first, the newer of a tie first, unknown never listed,
    whatever ties sit at the cut (upvotes rounded down to tens make many)."""
    tied = papers.assign(upvotes=papers["upvotes"] // 10 * 10)
    expected = tied[tied["upvotes"].notna()].sort_values(
        ["upvotes", "published"], ascending=[False, False], na_position="last").head(10)
    top = compute_top_papers(tied, 10)
    assert top["title"].tolist() == expected["title"].tolist()
    assert top["upvotes"].is_monotonic_decreasing
    assert top["upvotes"].iloc[-1] == top["upvotes"].iloc[-2], "a tie at the cut"
