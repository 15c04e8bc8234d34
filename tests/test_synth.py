"""`papertrends synth`: a deterministic synthetic collection with the shapes of a real one."""

from __future__ import annotations

import collections
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.collection import schema
from papertrends.collection.enrich import enrich
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy
from papertrends.sources import read_path, synth
from papertrends.sources.synth import synthesize

TODAY = dt.date(2025, 10, 10)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
ADDED_LINKS = ("Code is available at https://github.com/owner", "Project page: https://project")


def make(n: int, base: pd.DataFrame, *, seed: int = 0, today: dt.date | None = TODAY
         ) -> pd.DataFrame:
    tables = list(synthesize(n, base, seed=seed, today=today))
    return schema.to_frame(pa.concat_tables(tables)) if tables else schema.empty_frame()


def invoke(*args: str | Path | int) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def title_key(title: str) -> str:
    """Which shipped paper a title comes from: synth renames 'Method: ...' titles only."""
    head, colon, tail = title.partition(": ")
    return tail if colon and " " not in head.strip() else title


def years(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["published"].astype("string"), errors="coerce").dt.year


@pytest.fixture(scope="module")
def base(seed_path: Path) -> pd.DataFrame:
    """The shipped Papers page as a frame: the vocabulary synth recombines."""
    _, table = read_path(seed_path)
    return schema.to_frame(table)


@pytest.fixture(scope="module")
def many(base: pd.DataFrame) -> pd.DataFrame:
    """20,000 papers: enough for rare things (hundreds of authors) to show up."""
    return make(20_000, base, seed=7)


@pytest.fixture(scope="module")
def enriched(base: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """3,000 papers after the enrichment every ingest runs (links and topics found)."""
    table = pa.concat_tables(list(synthesize(3_000, base, seed=11, today=TODAY)))
    return schema.to_frame(enrich(table, taxonomy))


# -- determinism -----------------------------------------------------------------------------

def test_same_seed_and_size_give_the_same_rows(base) -> None:
    first = make(2_000, base, seed=5)
    pd.testing.assert_frame_equal(first, make(2_000, base, seed=5))
    other = make(2_000, base, seed=6)
    assert (first["abstract"] != other["abstract"]).mean() > 0.95
    assert (first["published"].astype("string") != other["published"].astype("string")).mean() > 0.9


def test_large_sizes_come_in_chunks_with_ids_unique_across_them(base, monkeypatch) -> None:
    monkeypatch.setattr(synth, "CHUNK_ROWS", 700)
    tables = list(synthesize(2_000, base, seed=1, today=TODAY))
    assert [t.num_rows for t in tables] == [700, 700, 600]
    assert all(t.schema == schema.ARROW_SCHEMA for t in tables)
    ids = pa.concat_tables(tables)["paper_id"].to_pylist()
    assert len(set(ids)) == 2_000


def test_bad_requests_are_refused(base) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        next(synthesize(-1, base))
    no_text = base.assign(abstract=pd.Series([None] * len(base), dtype=base["abstract"].dtype))
    with pytest.raises(ValueError, match="title and an abstract"):
        next(synthesize(10, no_text))
    assert list(synthesize(0, base)) == []


def test_a_base_with_one_sentence_abstracts_still_works() -> None:
    short = schema.to_frame(schema.to_table([
        {"paper_id": "2401.00001", "title": "Tiny: one line", "abstract": "One sentence only."},
        {"paper_id": "2401.00002", "title": "Also short", "abstract": "Just this. And that."}]))
    assert make(20, short)["abstract"].notna().all()


# -- the shapes of a real collection -------------------------------------------------------

def test_dates_span_2013_to_today_and_grow_each_year(many) -> None:
    known = pd.to_datetime(many["published"].dropna().astype("string"))
    assert known.min().date() >= dt.date(2013, 1, 1)
    assert known.max().date() <= TODAY
    assert known.max().date() >= TODAY - dt.timedelta(days=7)  # recent papers exist
    per_year = known.dt.year.value_counts().sort_index()
    assert per_year.index.min() == 2013
    full_years = per_year.loc[2013:2024]
    assert full_years.is_monotonic_increasing, full_years.to_dict()
    assert per_year.loc[2022:2024].sum() > 10 * per_year.loc[2013:2015].sum()


def test_today_defaults_to_the_real_today(base) -> None:
    known = pd.to_datetime(make(300, base, seed=2, today=None)["published"].dropna()
                           .astype("string"))
    assert dt.date.today() - dt.timedelta(days=120) <= known.max().date() <= dt.date.today()


def test_author_counts_are_mostly_small_teams_with_a_heavy_tail(many) -> None:
    counts = many["n_authors"].dropna().astype(int)
    assert counts.min() >= 1  # unknown is missing, never 0
    assert 4 <= counts.median() <= 6
    assert ((counts >= 2) & (counts <= 10)).mean() >= 0.8
    assert 0.02 <= (counts == 1).mean() <= 0.15
    assert counts.max() >= 100  # consortium papers, "rarely hundreds"
    assert (counts > 50).mean() < 0.01


def test_upvotes_are_mostly_zero_with_a_heavy_tail(many) -> None:
    upvotes = many["upvotes"].dropna().astype(int)
    assert upvotes.min() >= 0
    assert 0.4 <= (upvotes == 0).mean() <= 0.85
    assert upvotes.median() <= 2
    assert upvotes.max() >= 100


def test_unknown_values_are_as_common_as_on_the_shipped_page(many, base) -> None:
    for column in ("published", "n_authors", "upvotes"):
        shipped, made = base[column].isna().mean(), many[column].isna().mean()
        assert shipped > 0  # the page does have unknowns, so the check means something
        assert abs(made - shipped) < 0.02, (column, made, shipped)


def test_paper_ids_are_unique_synthetic_ids_of_the_publication_month(many) -> None:
    """arXiv-shaped, but marked: never merged into a real paper of a real collection."""
    assert many["paper_id"].is_unique
    ids = many["paper_id"].astype(str)
    assert ids.str.fullmatch(r"synth-\d{4}\.\d{5}").all()
    known = many["published"].notna()
    months = pd.to_datetime(many.loc[known, "published"].astype("string")).dt.strftime("%y%m")
    assert (ids[known].str[6:10] == months).all()


def test_about_a_fifth_link_github_code_spread_over_many_owners(enriched, base,
                                                                taxonomy) -> None:
    repos = enriched["github_repos"].tolist()
    with_code = pd.Series([len(r) > 0 for r in repos])
    assert 0.15 <= with_code.mean() <= 0.25
    owners = collections.Counter(repo.split("/")[0] for rs in repos for repo in rs)
    assert len(owners) >= 30
    # A few labs own many repositories, most owners one or two.
    assert owners.most_common(1)[0][1] >= 0.1 * sum(owners.values())
    assert sum(n <= 2 for n in owners.values()) > 0.5 * len(owners)
    # Links in the shipped abstracts are dropped: they would all point at the same few repos.
    shipped = enrich(schema.conform(pa.Table.from_pandas(base, preserve_index=False)), taxonomy)
    shipped_repos = {r.lower() for rs in shipped["github_repos"].to_pylist() for r in rs}
    assert shipped_repos  # the page does link repositories
    assert not shipped_repos & {r.lower() for rs in repos for r in rs}
    # Project pages are other links, never taken for repositories.
    pages = pd.Series([len(u) > 0 for u in enriched["project_urls"].tolist()])
    assert 0.03 <= pages.mean() <= 0.15
    assert not any("github.io" in r for rs in repos for r in rs)


def test_every_paper_gets_topics_and_topics_vary(enriched) -> None:
    topics = enriched["topics"].tolist()
    assert all(len(t) >= 1 for t in topics)
    counts = collections.Counter(t for ts in topics for t in ts)
    assert len([t for t, n in counts.items() if t != schema.OTHER_TOPIC and n >= 30]) >= 5


# -- text recombined from the shipped page ---------------------------------------------------

def test_abstracts_are_made_of_sentences_from_the_shipped_page(many, base) -> None:
    shipped = "\n".join(base["abstract"])
    sample = many.head(1_000)
    assert not set(sample["abstract"]) & set(base["abstract"])  # recombined, not copied
    first_sentences = [SENTENCE_END.split(a)[0] for a in sample["abstract"]]
    assert all(s in shipped for s in first_sentences)
    sentences = [s for a in sample["abstract"] for s in SENTENCE_END.split(a)
                 if not s.startswith(ADDED_LINKS)]
    assert sum(s in shipped for s in sentences) >= 0.95 * len(sentences)


def test_titles_are_shipped_titles_some_under_other_method_names(many, base) -> None:
    shipped = {title_key(t) for t in base["title"]}
    titles = many["title"].head(2_000)
    assert titles.map(title_key).isin(shipped).all()
    renamed = ~titles.isin(set(base["title"]))
    assert renamed.any()
    assert titles.nunique() > 3 * len(base)


def test_which_shipped_papers_are_popular_drifts_over_the_years(many) -> None:
    """Topics rise and fall: the early papers are not drawn from the same mix as recent ones."""
    year = years(many)
    key = many["title"].map(title_key)
    early = key[year <= 2018].value_counts(normalize=True)
    recent = key[year >= 2024].value_counts(normalize=True)
    assert early.sum() and recent.sum()
    distance = 0.5 * early.subtract(recent, fill_value=0).abs().sum()
    assert distance > 0.3  # a mix that does not drift gives ~0.13 at these sizes


# -- the command -----------------------------------------------------------------------------

def test_synth_writes_parquet_and_csv_that_ingest_to_the_same_collection(tmp_path) -> None:
    out = tmp_path / "synthetic.parquet"
    result = invoke("synth", "--papers", 300, "--seed", 3, "--out", out, "--today", "2025-10-10")
    assert result.exit_code == 0, result.output
    assert f"{out}: 300 synthetic papers (seed 3)" in result.stdout
    fmt, table = read_path(out)
    assert (fmt, table.num_rows) == ("parquet", 300)
    assert max(d for d in table["published"].to_pylist() if d) <= TODAY

    again = tmp_path / "again.parquet"
    invoke("synth", "--papers", 300, "--seed", 3, "--out", again, "--today", "2025-10-10")
    assert again.read_bytes() == out.read_bytes()  # the same seed and size give the same file

    db = tmp_path / "papers.duckdb"
    result = invoke("-q", "ingest", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{db}: 300 papers read, 300 new, 0 updated"
    stored = Store(db).load()
    assert sorted(stored["paper_id"]) == sorted(table["paper_id"].to_pylist())

    # --format csv wins over the name; the CSV holds the same papers, so nothing changes.
    as_csv = tmp_path / "synthetic.txt"
    result = invoke("synth", "--papers", 300, "--seed", 3, "--out", as_csv, "--format", "csv",
                    "--today", "2025-10-10")
    assert result.exit_code == 0, result.output
    assert as_csv.read_text(encoding="utf-8").startswith('"paper_id","title"')
    result = invoke("-q", "ingest", as_csv, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{db}: 300 papers read, 0 new, 0 updated"

    # An empty synthetic file ingests into an existing collection as nothing new.
    empty = tmp_path / "empty.parquet"
    assert invoke("synth", "--papers", 0, "--out", empty).exit_code == 0
    result = invoke("-q", "ingest", empty, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{db}: 0 papers read, 0 new, 0 updated"
    assert len(Store(db).load()) == 300


@pytest.mark.parametrize("name", ["none.parquet", "none.csv"])
def test_zero_papers_make_a_valid_empty_file(tmp_path, name) -> None:
    out = tmp_path / name
    result = invoke("synth", "--papers", 0, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"{out}: 0 synthetic papers (seed 0)" in result.stdout
    fmt, table = read_path(out)
    assert fmt == out.suffix[1:] and table.num_rows == 0
    assert table.schema == schema.ARROW_SCHEMA


def test_an_empty_file_ingests_into_a_new_collection(tmp_path) -> None:
    out = tmp_path / "none.parquet"
    invoke("synth", "--papers", 0, "--out", out)
    db = tmp_path / "papers.duckdb"
    result = CliRunner().invoke(main, ["-q", "ingest", str(out), "--db", str(db)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.stdout.strip() == f"{db}: 0 papers read, 0 new, 0 updated"


@pytest.mark.parametrize("args, message", [
    (["--today", "2012-12-31"], "2013-01-01 or later"),
    (["--out", "no/such/folder/papers.parquet"], "does not exist"),
])
def test_synth_refuses_bad_options_in_one_line(tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    options = {"--out": "papers.parquet", "--today": None}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["synth", "--papers", "10"] + [x for k, v in options.items() if v
                                          for x in (k, v)]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code in (1, 2) and message in result.output
    assert "Traceback" not in result.output and not list(tmp_path.rglob("*.parquet"))
