"""Code links: how many papers link a GitHub repository, who owns those repositories, and
project pages (github.io sites, demos), which are counted separately and never as code.

A paper "has code" when its ``github_repos`` list is non-empty. GitHub owner and repository
names are case-insensitive, so 'OpenAI/Gym' and 'openai/gym' count as one repository (shown
with the spelling seen first). List columns are handled with pyarrow.compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends import urls
from papertrends.analytics.periods import PERIODS, period_start

WITH_CODE = "With code"
WITHOUT_CODE = "Without code"


def _arrow(series: pd.Series) -> pa.Array:
    """One contiguous Arrow array (a loaded collection may arrive in several chunks)."""
    array = pa.array(series)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _empty(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _list_lengths(papers: pd.DataFrame, column: str) -> np.ndarray:
    if not len(papers):
        return np.zeros(0, dtype="int64")
    return pc.fill_null(pc.list_value_length(_arrow(papers[column])), 0).to_numpy()


def has_code(papers: pd.DataFrame) -> np.ndarray:
    """Per paper: True when it links at least one GitHub repository."""
    return _list_lengths(papers, "github_repos") > 0


def has_project_page(papers: pd.DataFrame) -> np.ndarray:
    """Per paper: True when it links at least one project page (any non-GitHub http(s) link)."""
    present = np.zeros(len(papers), dtype=bool)
    present[_flat_pages(papers)["row"].to_numpy()] = True
    return present


def _flat_repos(papers: pd.DataFrame) -> pd.DataFrame:
    """One row per (paper, distinct repository): row (position in papers), repo, key, owner,
    owner_key (keys lower-cased)."""
    if not len(papers):
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "repo": pd.Series(dtype=str),
                             "key": pd.Series(dtype=str), "owner": pd.Series(dtype=str),
                             "owner_key": pd.Series(dtype=str)})
    lists = _arrow(papers["github_repos"])
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    owner = pc.extract_regex(flat, r"^(?P<owner>[^/]*)/").field("owner")
    frame = pd.DataFrame({
        "row": pc.list_parent_indices(lists).to_numpy(),
        "repo": flat.to_numpy(zero_copy_only=False),
        "key": pc.utf8_lower(flat).to_numpy(zero_copy_only=False),
        "owner": owner.to_numpy(zero_copy_only=False),
        "owner_key": pc.utf8_lower(owner).to_numpy(zero_copy_only=False),
    })
    frame = frame[frame["owner"].notna() & (frame["owner"] != "")]
    return frame.drop_duplicates(["row", "key"], ignore_index=True)


# -- how many papers have code ----------------------------------------------------------------

def compute_code_summary(papers: pd.DataFrame) -> dict[str, object]:
    """papers, with_code, share_with_code, repos and owners (distinct), with_project_page,
    share_with_project_page, page_only (a project page but no repository); shares None when
    there are no papers."""
    n = len(papers)
    code = has_code(papers)
    page = has_project_page(papers)
    repos = _flat_repos(papers)
    return {
        "papers": n,
        "with_code": int(code.sum()),
        "share_with_code": float(code.mean()) if n else None,
        "repos": int(repos["key"].nunique()),
        "owners": int(repos["owner_key"].nunique()),
        "with_project_page": int(page.sum()),
        "share_with_project_page": float(page.mean()) if n else None,
        "page_only": int((page & ~code).sum()),
        "both": int((page & code).sum()),
    }


def compute_code_per_period(papers: pd.DataFrame, period: str) -> pd.DataFrame:
    """period, papers (dated), with_code, without_code, share (with_code / papers; missing for
    a period without papers). Every period in the span is present."""
    columns = {"period": "datetime64[s]", "papers": "int64", "with_code": "int64",
               "without_code": "int64", "share": "float64"}
    starts = period_start(papers["published"], period)
    dated = starts.notna().to_numpy(bool)
    if not dated.any():
        return _empty(columns)
    keys = pd.Series(starts.to_numpy()[dated], name="period")
    code = pd.Series(has_code(papers)[dated].astype("int64"))
    grouped = code.groupby(keys)
    counts = pd.DataFrame({"papers": grouped.size(), "with_code": grouped.sum()})
    span = pd.period_range(counts.index.min(), counts.index.max(),
                           freq=PERIODS[period]).start_time
    counts = counts.reindex(span.astype(counts.index.dtype), fill_value=0).astype("int64")
    counts["without_code"] = counts["papers"] - counts["with_code"]
    counts["share"] = (counts["with_code"] / counts["papers"].where(counts["papers"] > 0))
    return counts.rename_axis("period").reset_index()[list(columns)]


def compute_code_by_topic(papers: pd.DataFrame) -> pd.DataFrame:
    """topic, papers, with_code, share; a paper counts under each of its topics. Sorted by
    share, largest first."""
    columns = {"topic": str, "papers": "int64", "with_code": "int64", "share": "float64"}
    if not len(papers):
        return _empty(columns)
    topics = _arrow(papers["topics"])
    rows = pc.list_parent_indices(topics).to_numpy()
    if not len(rows):
        return _empty(columns)
    flat = pd.Series(pc.list_flatten(topics).to_numpy(zero_copy_only=False), name="topic")
    code = pd.Series(has_code(papers)[rows].astype("int64"))
    grouped = code.groupby(flat)
    frame = pd.DataFrame({"papers": grouped.size().astype("int64"),
                          "with_code": grouped.sum().astype("int64")})
    frame["share"] = frame["with_code"] / frame["papers"]
    frame = frame.rename_axis("topic").reset_index()
    return frame.sort_values(["share", "papers", "topic"], ascending=[False, False, True],
                             ignore_index=True)


# -- owners -----------------------------------------------------------------------------------

def compute_top_owners(papers: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """owner (user or organisation: the part before '/'), repos (distinct), papers (linking
    any of them), repositories (their names, most linked first): the ``n`` owners with most
    distinct repositories, then most papers."""
    columns = {"owner": str, "repos": "int64", "papers": "int64", "repositories": str}
    flat = _flat_repos(papers)
    if flat.empty:
        return _empty(columns)
    spelling = flat.drop_duplicates("owner_key").set_index("owner_key")["owner"]
    repo_spelling = flat.drop_duplicates("key").set_index("key")["repo"]
    grouped = flat.groupby("owner_key")
    frame = pd.DataFrame({"repos": grouped["key"].nunique().astype("int64"),
                          "papers": grouped["row"].nunique().astype("int64")})
    frame = frame.reset_index()
    frame = frame.sort_values(["repos", "papers", "owner_key"], ascending=[False, False, True],
                              ignore_index=True).head(n)
    mine = flat[flat["owner_key"].isin(frame["owner_key"])]
    linked = mine.groupby(["owner_key", "key"]).size().rename("links").reset_index()
    linked = linked.sort_values(["owner_key", "links", "key"], ascending=[True, False, True])
    linked["name"] = linked["key"].map(repo_spelling).str.partition("/")[2]
    names = linked.groupby("owner_key")["name"].agg(", ".join)
    frame["repositories"] = frame["owner_key"].map(names)
    frame.insert(0, "owner", frame.pop("owner_key").map(spelling))
    return frame[list(columns)]


# -- upvotes with and without code ------------------------------------------------------------

MAX_POINTS = 5_000


def compute_upvotes_by_code(papers: pd.DataFrame, max_points: int | None = MAX_POINTS
                            ) -> pd.DataFrame:
    """paper_id, title, upvotes, code ('With code' / 'Without code'): one row per paper with
    known upvotes; when a group has more than half of ``max_points``, a fixed random sample of
    that many (the medians table uses every paper)."""
    known = papers["upvotes"].notna().to_numpy(bool)
    code = has_code(papers)
    rows = []
    for in_group in (code, ~code):
        group = np.flatnonzero(known & in_group)
        if max_points is not None and len(group) > max_points // 2:
            group = np.random.default_rng(0).choice(group, size=max_points // 2, replace=False)
        rows.append(group)
    rows = np.sort(np.concatenate(rows))
    chosen = papers[["paper_id", "title", "upvotes"]].iloc[rows]
    code = code[rows]
    return pd.DataFrame({
        "paper_id": chosen["paper_id"].to_numpy(),
        "title": chosen["title"].fillna("(untitled)").to_numpy(),
        "upvotes": chosen["upvotes"].astype("int64").to_numpy(),
        "code": pd.Series(np.where(code, WITH_CODE, WITHOUT_CODE), dtype=str),
    })


def compute_upvote_medians_by_code(papers: pd.DataFrame) -> pd.DataFrame:
    """code, papers (with known upvotes), median_upvotes, mean_upvotes, upvoted_share (at least
    one upvote), unknown_upvotes (papers left out); both groups always present."""
    upvotes = papers["upvotes"].astype("float64").to_numpy(na_value=np.nan)
    known = ~np.isnan(upvotes)
    code = has_code(papers)
    rows = []
    for label, in_group in ((WITH_CODE, code), (WITHOUT_CODE, ~code)):
        values = upvotes[known & in_group]
        rows.append({
            "code": label,
            "papers": len(values),
            "median_upvotes": float(np.median(values)) if len(values) else np.nan,
            "mean_upvotes": float(values.mean()) if len(values) else np.nan,
            "upvoted_share": float((values > 0).mean()) if len(values) else np.nan,
            "unknown_upvotes": int((~known & in_group).sum()),
        })
    return pd.DataFrame(rows).astype({"papers": "int64", "median_upvotes": "float64",
                                      "mean_upvotes": "float64", "upvoted_share": "float64",
                                      "unknown_upvotes": "int64"})


# -- lists ------------------------------------------------------------------------------------

def _paper_columns(papers: pd.DataFrame, rows: np.ndarray) -> dict[str, object]:
    chosen = papers[["paper_id", "title", "published", "upvotes"]].iloc[rows]
    return {
        "title": chosen["title"].fillna("(untitled)").to_numpy(),
        "published": chosen["published"].reset_index(drop=True),
        "upvotes": chosen["upvotes"].reset_index(drop=True),
        "hugging_face": [urls.hf_paper_url(i, t) for i, t in zip(
            chosen["paper_id"], chosen["title"], strict=True)],
    }


def _newest_first(papers: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """A stable order for link lists: newest first, undated last, then by title."""
    order = pd.DataFrame({
        "published": papers["published"].iloc[rows].astype("datetime64[s]").to_numpy(),
        "title": papers["title"].iloc[rows].fillna("").to_numpy(),
        "pos": np.arange(len(rows)),
    }).sort_values(["published", "title", "pos"], ascending=[False, True, True],
                   na_position="last")
    return order["pos"].to_numpy()


def compute_code_papers(papers: pd.DataFrame, limit: int = 5_000) -> pd.DataFrame:
    """One row per (paper, repository), newest papers first, at most ``limit`` rows: title,
    published, upvotes, repo ('owner/repo'), github (its URL), hugging_face (paper page URL)."""
    columns = {"title": str, "published": "object", "upvotes": "Int64", "repo": str,
               "github": str, "hugging_face": str}
    flat = _flat_repos(papers)
    if flat.empty:
        return _empty(columns)
    flat = flat.iloc[_newest_first(papers, flat["row"].to_numpy())].head(limit)
    frame = pd.DataFrame(_paper_columns(papers, flat["row"].to_numpy()))
    frame["repo"] = flat["repo"].to_numpy()
    frame["github"] = [urls.github_url(r) for r in flat["repo"]]
    return frame[list(columns)]


def _host(links: pa.Array) -> pa.Array:
    """Lower-cased host without 'www.' (null unless an http(s) link); every *.github.io site
    is 'github.io'."""
    pattern = r"(?i)^\s*https?://(?:[^/?#@\s]*@)?(?P<h>[^/?#:\s]*)"
    host = pc.utf8_lower(pc.extract_regex(links, pattern).field("h"))
    host = pc.replace_substring_regex(host, r"^www\.", "")
    return pc.replace_substring_regex(host, r"^.*\.github\.io$", "github.io")


def _flat_pages(papers: pd.DataFrame) -> pd.DataFrame:
    if not len(papers):
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "url": pd.Series(dtype=str),
                             "host": pd.Series(dtype=str)})
    lists = _arrow(papers["project_urls"])
    flat = pc.list_flatten(lists)
    frame = pd.DataFrame({
        "row": pc.list_parent_indices(lists).to_numpy(),
        "url": flat.to_numpy(zero_copy_only=False),
        "host": _host(flat).to_numpy(zero_copy_only=False),
    })
    return frame[frame["host"].notna() & (frame["host"] != "")].reset_index(drop=True)


def compute_project_hosts(papers: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """host, links, papers: where project pages live (all *.github.io sites as 'github.io'),
    the ``n`` hosts with most papers."""
    flat = _flat_pages(papers)
    if flat.empty:
        return _empty({"host": str, "links": "int64", "papers": "int64"})
    grouped = flat.groupby("host")
    frame = pd.DataFrame({"links": grouped.size().astype("int64"),
                          "papers": grouped["row"].nunique().astype("int64")}).reset_index()
    return frame.sort_values(["papers", "links", "host"], ascending=[False, False, True],
                             ignore_index=True).head(n)


def compute_project_pages(papers: pd.DataFrame, limit: int = 5_000) -> pd.DataFrame:
    """One row per (paper, project page), newest papers first, at most ``limit`` rows: title,
    published, upvotes, host, project_page (URL; None unless http(s)), has_code,
    hugging_face."""
    columns = {"title": str, "published": "object", "upvotes": "Int64", "host": str,
               "project_page": str, "has_code": bool, "hugging_face": str}
    flat = _flat_pages(papers)
    if flat.empty:
        return _empty(columns)
    flat = flat.iloc[_newest_first(papers, flat["row"].to_numpy())].head(limit)
    rows = flat["row"].to_numpy()
    frame = pd.DataFrame(_paper_columns(papers, rows))
    frame["host"] = flat["host"].to_numpy()
    frame["project_page"] = [urls.safe_url(u) for u in flat["url"]]
    frame["has_code"] = has_code(papers)[rows]
    return frame[list(columns)]
