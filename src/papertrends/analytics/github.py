"""Code links: how many papers link a GitHub repository, who owns those repositories, and
project pages (github.io sites, demos), which are counted separately and never as code.

A paper "has code" when its ``github_repos`` list is non-empty. GitHub owner and repository
names are case-insensitive, so 'OpenAI/Gym' and 'openai/gym' count as one repository (shown
with the spelling seen first). List columns are handled with pyarrow.compute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.analytics.periods import PERIODS, period_start
from papertrends.collection.schema import OTHER_TOPIC
from papertrends.common import arrow, urls
from papertrends.common.memo import once_per_frame

WITH_CODE = "With code"
WITHOUT_CODE = "Without code"


def _empty(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def has_code(papers: pd.DataFrame) -> np.ndarray:
    """Per paper: True when it links at least one GitHub repository."""
    if not len(papers):
        return np.zeros(0, dtype=bool)
    return arrow.list_lengths(papers["github_repos"]) > 0


def has_project_page(papers: pd.DataFrame) -> np.ndarray:
    """Per paper: True when it links at least one project page (any non-GitHub http(s) link)."""
    present = np.zeros(len(papers), dtype=bool)
    present[_flat_pages(papers).rows] = True
    return present


def _first_of_each(codes: np.ndarray) -> np.ndarray:
    """For each code 0, 1, ... (all present), the position where it first occurs."""
    return np.unique(codes, return_index=True)[1]


@dataclass(frozen=True)
class _Repos:
    """One entry per (paper, distinct repository), as integer codes."""

    rows: np.ndarray      # position of the paper
    repo: pa.Array        # 'owner/repo' as written
    key: np.ndarray       # repository code (case-insensitive)
    owner: np.ndarray     # owner code (case-insensitive)
    n_keys: int
    n_owners: int

    def __len__(self) -> int:
        return len(self.rows)

    def owner_names(self, codes: np.ndarray) -> list[str]:
        """These owner codes' names, spelled as first seen."""
        first = _first_of_each(self.owner)[codes]
        return pc.replace_substring_regex(self.repo.take(pa.array(first)), "/.*$", "",
                                          ).to_pylist()

    def repo_names(self, codes: np.ndarray | None = None) -> list[str]:
        """Each repository code's 'owner/repo' (or only these codes'), spelled as first seen."""
        first = _first_of_each(self.key)
        first = first if codes is None else first[codes]
        return self.repo.take(pa.array(first)).to_pylist()


def _codes(values: pa.Array) -> tuple[np.ndarray, int]:
    codes, distinct = arrow.encode(values)
    return codes, len(distinct)


@once_per_frame  # the summary, the owners, the code papers and the repository facts
def _flat_repos(papers: pd.DataFrame) -> _Repos:
    """Each paper's distinct linked repositories, as codes."""
    rows, flat = arrow.flatten(papers["github_repos"] if len(papers)
                               else pa.array([], pa.list_(pa.string())))
    flat = pc.utf8_trim_whitespace(flat)
    valid = pc.fill_null(pc.match_substring_regex(flat, r"^[^/\s]+/[^/\s]"), False)
    flat, rows = flat.filter(valid), rows[valid.to_numpy(zero_copy_only=False)]
    key, n_keys = _codes(pc.utf8_lower(flat))
    _, once = np.unique(key * max(len(papers), 1) + rows, return_index=True)
    once = np.sort(once)                                 # each repository once per paper
    flat, rows, key = flat.take(pa.array(once)), rows[once], key[once]
    owner, n_owners = _codes(pc.utf8_lower(pc.replace_substring_regex(flat, "/.*$", "")))
    return _Repos(rows, flat, key, owner, n_keys, n_owners)


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
        "repos": repos.n_keys,
        "owners": repos.n_owners,
        "with_project_page": int(page.sum()),
        "share_with_project_page": float(page.mean()) if n else None,
        "page_only": int((page & ~code).sum()),
        "both": int((page & code).sum()),
    }


def compute_code_per_period(papers: pd.DataFrame, period: str,
                            date_column: str = "published") -> pd.DataFrame:
    """period, papers (dated), with_code, without_code, share (with_code / papers; missing for
    a period without papers). Every period in the span is present."""
    columns = {"period": "datetime64[s]", "papers": "int64", "with_code": "int64",
               "without_code": "int64", "share": "float64"}
    starts = period_start(papers[date_column], period)
    dated = starts.notna().to_numpy(bool)
    if not dated.any():
        return _empty(columns)
    codes, periods = pd.factorize(starts.to_numpy()[dated], sort=True)
    counts = pd.DataFrame({
        "papers": np.bincount(codes, minlength=len(periods)),
        "with_code": np.bincount(codes, weights=has_code(papers)[dated],
                                 minlength=len(periods)),
    }, index=pd.Index(periods, name="period"))
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
    rows, topics = arrow.flatten(papers["topics"])
    if not len(rows):
        return _empty(columns)
    codes, names = arrow.encode(pc.fill_null(topics, OTHER_TOPIC))
    frame = pd.DataFrame({
        "topic": pd.Series(names.to_pylist(), dtype=str),
        "papers": np.bincount(codes, minlength=len(names)).astype("int64"),
        "with_code": np.bincount(codes, weights=has_code(papers)[rows],
                                 minlength=len(names)).astype("int64"),
    })
    frame["share"] = frame["with_code"] / frame["papers"]
    return frame.sort_values(["share", "papers", "topic"], ascending=[False, False, True],
                             ignore_index=True)


# -- owners -----------------------------------------------------------------------------------

NAMES_PER_OWNER = 10  # an organisation can own thousands: a cell lists the first few


def compute_top_owners(papers: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """owner (user or organisation: the part before '/'), repos (distinct), papers (linking
    any of them), repositories (their names, most linked first, then by name; after
    ``NAMES_PER_OWNER`` names, how many more): the ``n`` owners with most distinct
    repositories, then most papers, then by name."""
    columns = {"owner": str, "repos": "int64", "papers": "int64", "repositories": str}
    flat = _flat_repos(papers)
    if not len(flat):
        return _empty(columns)
    owner_of_key = np.zeros(flat.n_keys, dtype="int64")
    owner_of_key[flat.key] = flat.owner
    paper_pairs = np.unique(flat.owner * len(papers) + flat.rows) // len(papers)
    frame = pd.DataFrame({
        "repos": np.bincount(owner_of_key, minlength=flat.n_owners),
        "papers": np.bincount(paper_pairs, minlength=flat.n_owners),
    }).sort_values(["repos", "papers"], ascending=False)
    if len(frame) > n:  # the top n and everything tied with the n-th, before naming them
        repos_n, papers_n = frame["repos"].iloc[n - 1], frame["papers"].iloc[n - 1]
        frame = frame[(frame["repos"] > repos_n)
                      | ((frame["repos"] == repos_n) & (frame["papers"] >= papers_n))]
    frame.insert(0, "owner", flat.owner_names(frame.index.to_numpy()))
    frame = frame.assign(order=frame["owner"].str.lower()).sort_values(
        ["repos", "papers", "order"], ascending=[False, False, True]).head(n)
    keys = np.flatnonzero(np.isin(owner_of_key, frame.index))  # the shown owners' repositories
    listed = pd.DataFrame({
        "owner": owner_of_key[keys],
        "links": np.bincount(flat.key, minlength=flat.n_keys)[keys],
        "name": [r.partition("/")[2] for r in flat.repo_names(keys)],
    }).sort_values(["links", "name"], ascending=[False, True])
    names = listed.groupby("owner").head(NAMES_PER_OWNER).groupby("owner")["name"].agg(
        ", ".join)
    frame["repositories"] = [
        f"{names[owner]}, and {repos - NAMES_PER_OWNER:,} more" if repos > NAMES_PER_OWNER
        else names[owner] for owner, repos in zip(frame.index, frame["repos"], strict=True)]
    return frame.reset_index(drop=True)[list(columns)].astype({"repos": "int64",
                                                              "papers": "int64"})


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
        "hugging_face": urls.hf_paper_urls(chosen["paper_id"].tolist(), chosen["title"].tolist()),
    }


def _newest_first(papers: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Positions into ``rows`` ordering them newest paper first, undated last, ties in
    collection order (stable, so a paper's links keep their order)."""
    if not len(rows):
        return np.zeros(0, dtype="int64")
    days = pc.cast(arrow.contiguous(papers["published"]), pa.int32())
    days = pc.fill_null(days, np.iinfo(np.int32).min).to_numpy().astype("int64")[rows]
    return np.lexsort((np.arange(len(rows)), -days))


def compute_code_papers(papers: pd.DataFrame, limit: int = 5_000) -> pd.DataFrame:
    """One row per (paper, repository), newest papers first, at most ``limit`` rows: title,
    published, upvotes, repo ('owner/repo'), github (its URL), hugging_face (paper page URL)."""
    columns = {"title": str, "published": "object", "upvotes": "Int64", "repo": str,
               "github": str, "hugging_face": str}
    flat = _flat_repos(papers)
    if not len(flat):
        return _empty(columns)
    order = _newest_first(papers, flat.rows)[:limit]
    frame = pd.DataFrame(_paper_columns(papers, flat.rows[order]))
    frame["repo"] = flat.repo.take(pa.array(order)).to_pylist()
    frame["github"] = urls.github_urls(frame["repo"].tolist())
    return frame[list(columns)]


def _host(links: pa.Array) -> pa.Array:
    """Lower-cased host without 'www.' (null unless an http(s) link); every *.github.io site
    is 'github.io'."""
    pattern = r"(?i)^\s*https?://(?:[^/?#@\s]*@)?(?P<h>[^/?#:\s]*)"
    host = pc.utf8_lower(pc.extract_regex(links, pattern).field("h"))
    host = pc.replace_substring_regex(host, r"^www\.", "")
    return pc.replace_substring_regex(host, r"^.*\.github\.io$", "github.io")


@dataclass(frozen=True)
class _Pages:
    """One entry per project link with an http(s) host."""

    rows: np.ndarray      # position of the paper
    url: pa.Array
    host: pa.Array        # see _host

    def __len__(self) -> int:
        return len(self.rows)


@once_per_frame  # the summary, the hosts and the project pages
def _flat_pages(papers: pd.DataFrame) -> _Pages:
    rows, flat = arrow.flatten(papers["project_urls"] if len(papers)
                               else pa.array([], pa.list_(pa.string())))
    host = _host(flat)
    keep = pc.fill_null(pc.greater(pc.utf8_length(host), 0), False)
    rows = rows[keep.to_numpy(zero_copy_only=False)]
    return _Pages(rows, flat.filter(keep), host.filter(keep))


def compute_project_hosts(papers: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """host, links, papers: where project pages live (all *.github.io sites as 'github.io'),
    the ``n`` hosts with most papers."""
    flat = _flat_pages(papers)
    if not len(flat):
        return _empty({"host": str, "links": "int64", "papers": "int64"})
    codes, hosts = arrow.encode(flat.host)
    with_paper = np.unique(codes * len(papers) + flat.rows) // len(papers)
    frame = pd.DataFrame({
        "host": pd.Series(hosts.to_pylist(), dtype=str),
        "links": np.bincount(codes, minlength=len(hosts)).astype("int64"),
        "papers": np.bincount(with_paper, minlength=len(hosts)).astype("int64"),
    })
    return frame.sort_values(["papers", "links", "host"], ascending=[False, False, True],
                             ignore_index=True).head(n)


def compute_project_pages(papers: pd.DataFrame, limit: int = 5_000) -> pd.DataFrame:
    """One row per (paper, project page), newest papers first, at most ``limit`` rows: title,
    published, upvotes, host, project_page (URL; None unless http(s)), has_code,
    hugging_face."""
    columns = {"title": str, "published": "object", "upvotes": "Int64", "host": str,
               "project_page": str, "has_code": bool, "hugging_face": str}
    flat = _flat_pages(papers)
    if not len(flat):
        return _empty(columns)
    order = _newest_first(papers, flat.rows)[:limit]
    rows = flat.rows[order]
    frame = pd.DataFrame(_paper_columns(papers, rows))
    frame["host"] = flat.host.take(pa.array(order)).to_pylist()
    frame["project_page"] = [urls.safe_url(u) for u in flat.url.take(pa.array(order))
                             .to_pylist()]
    frame["has_code"] = has_code(papers)[rows]
    return frame[list(columns)]


# -- repository facts (stars, languages) ----------------------------------------------------

REPOSITORY_FACTS = {"repo": str, "github": str, "papers": "int64", "stars": "Int64",
                    "forks": "Int64", "language": "string", "pushed_at": "object",
                    "archived": "boolean"}


def compute_repository_facts(papers: pd.DataFrame, repositories: pd.DataFrame) -> pd.DataFrame:
    """One row per repository the papers link, with what is known of it, most starred first.

    ``repositories`` is ``Store.repositories()`` (filled by ``papertrends enrich-github``);
    where it has no answer, stars fall back to the count Hugging Face reported with the paper
    (``github_stars``), and the other facts stay missing: unknown, not zero.
    """
    flat = _flat_repos(papers)
    if not len(flat):
        return _empty(REPOSITORY_FACTS)
    hf_stars = papers["github_stars"].to_numpy(dtype="float64", na_value=np.nan)[flat.rows]
    names = flat.repo_names()  # by repository code, as first spelled
    per_repo = pd.DataFrame({
        "repo": names,
        "papers": np.bincount(flat.key, minlength=flat.n_keys),
        "hf_stars": pd.Series(hf_stars).groupby(flat.key).max().to_numpy(),
    }, index=pd.Index(pc.utf8_lower(pa.array(names, pa.string())).to_pylist(), name="key"))
    known = repositories[repositories["status"] == "ok"].drop_duplicates("repo")
    facts = per_repo.join(known.set_index("repo")[
        ["stars", "forks", "language", "pushed_at", "archived"]], how="left")
    stars = facts["stars"].astype("Float64").fillna(facts["hf_stars"].astype("Float64"))
    frame = pd.DataFrame({
        "repo": facts["repo"], "papers": facts["papers"], "stars": stars.round().astype("Int64"),
        "forks": facts["forks"].astype("Int64"), "language": facts["language"].astype("string"),
        "pushed_at": facts["pushed_at"].astype(object),
        "archived": facts["archived"].astype("boolean")})
    frame = frame.sort_values(["stars", "papers", "repo"], ascending=[False, False, True],
                              na_position="last", ignore_index=True)
    frame.insert(1, "github", urls.github_urls(frame["repo"].tolist()))
    return frame.astype(REPOSITORY_FACTS)


def compute_languages(facts: pd.DataFrame) -> pd.DataFrame:
    """language, repos: primary languages of the linked repositories that GitHub reported."""
    known = facts["language"].dropna()
    counts = known.value_counts().rename_axis("language").reset_index(name="repos")
    return counts.sort_values(["repos", "language"], ascending=[False, True], ignore_index=True)
