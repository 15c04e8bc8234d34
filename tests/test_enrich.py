"""Enrichment gives each paper the same derived fields, however the work is split."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
from click.testing import CliRunner
from hf_samples import WRAPPED_ABSTRACT, WRAPPED_TITLE, body, entry
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.cli import main
from papertrends.collection import enrich as enrich_module
from papertrends.collection import schema
from papertrends.collection.enrich import collapse_whitespace, enrich
from papertrends.sources import read_path
from papertrends.sources.hf_api import parse_hf_api


def test_worker_processes_enrich_as_one_process_does(seed_path, taxonomy, monkeypatch):
    _, table = read_path(seed_path)
    big = pa.concat_tables([table] * 3)  # 294 rows: four chunks of 80 over two processes
    monkeypatch.setattr(enrich_module, "_PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr(enrich_module, "_CHUNK_ROWS", 80)
    done: list[int] = []
    parallel = enrich(big, taxonomy, progress=done.append, workers=2)
    serial = enrich(big, taxonomy, workers=1)
    assert parallel.equals(serial)
    assert sum(done) == 294 and len(done) == 4
    topics = parallel["topics"].to_pylist()
    assert all(topics) and topics[:98] == topics[98:196]


# Python's whitespace (what str.split() splits on), a few look-alikes that are not, and words.
_TEXT = st.text(alphabet=st.sampled_from(
    ["a", "b", "\u200b", "-"] + [chr(c) for c in range(0x3001) if chr(c).isspace()]),
    max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "title": _TEXT, "abstract": st.none() | _TEXT, "organization": st.none() | _TEXT,
    "ai_summary": st.none() | _TEXT, "authors": st.lists(_TEXT, max_size=3),
    "ai_keywords": st.none() | st.lists(_TEXT, max_size=3)}), min_size=1, max_size=4),
    st.integers(0, 3))
def test_whitespace_collapses_as_str_split_does(records: list[dict], skip: int) -> None:
    """Every run of whitespace becomes one space and none is left at either end, in plain and
    list columns, also in a slice of a table (Arrow list offsets that do not start at 0)."""
    columns = pa.schema([schema.ARROW_SCHEMA.field(name) for name in records[0]])
    table = schema.conform(pa.Table.from_pylist(records, schema=columns))
    skip = min(skip, len(records) - 1)
    collapsed = collapse_whitespace(table.slice(skip)).to_pylist()

    def tidy(value):
        if isinstance(value, list):
            return [tidy(item) for item in value]
        return value if value is None else " ".join(value.split())

    assert [{name: row[name] for name in records[0]} for row in collapsed] == [
        {name: tidy(value) for name, value in record.items()} for record in records[skip:]]


def test_a_wrapped_title_and_abstract_are_stored_on_one_line(taxonomy) -> None:
    table = parse_hf_api(body(entry(title=WRAPPED_TITLE, abstract=WRAPPED_ABSTRACT,
                                    authors=("Ann\n  Lee", " Bo Chen"), organization="Acme\nAI")))
    [row] = enrich(table, taxonomy).to_pylist()
    assert row["title"] == "Sparse Adapters for Large Multimodal Models"
    assert row["abstract"] == ("Large multimodal models are costly to adapt. We train sparse "
                               "adapters that touch 2% of the weights and match full "
                               "fine-tuning.")
    assert row["authors"] == ["Ann Lee", "Bo Chen"] and row["organization"] == "Acme AI"


def test_a_phrase_across_a_line_wrap_is_found_and_exported_on_one_line(tmp_path: Path) -> None:
    saved, db, out = tmp_path / "2025-10-09.json", tmp_path / "p.duckdb", tmp_path / "found.csv"
    saved.write_bytes(body(entry(title=WRAPPED_TITLE, abstract=WRAPPED_ABSTRACT),
                           entry("2510.00002", "Another Paper", abstract="Nothing wrapped.")))
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(saved), "--db", str(db)]).exit_code == 0
    result = runner.invoke(main, ["export", "--out", str(out), "--db", str(db),
                                  "--search", '"multimodal models" "sparse adapters"'])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{out}: 1 of 2 papers")
    with out.open(newline="", encoding="utf-8") as file:
        [row] = list(csv.DictReader(file))
    assert row["title"] == "Sparse Adapters for Large Multimodal Models"
    assert "\n" not in row["abstract"] and "  " not in row["abstract"]


# Every character enrichment strips, one by one: bidi embeddings, overrides, isolates and marks,
# zero-width spaces and joiners, the word joiner and the byte order mark.
_INVISIBLE = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
              "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060",
              "\ufeff"]


def test_bidi_and_zero_width_controls_are_stripped_when_papers_are_ingested(tmp_path: Path):
    """A right-to-left override in a title displays 'abc<RLO>dcba<PDF> txt.exe' backwards;
    zero-width characters hide inside names and words. Ingested, the collection holds the
    text without any of them, in every text field, and so do the CLI's stats and export."""
    hidden = "".join(_INVISIBLE)
    saved, db, out = (tmp_path / f"day\u202e{hidden}.json", tmp_path / "p.duckdb",
                      tmp_path / "out.csv")
    saved.write_bytes(body(entry(
        "2510.0731\u200b2", "abc\u202edcba\u202c txt.exe",
        authors=("Ann\u200b Lee", "\ufeffBo\u2066 Chen\u2069"),
        abstract=f"Agents{hidden} plan. Code: https://github.com/acme/v\u200dplan",
        organization="Acme\u200f AI", ai_keywords=["LLM\u2060agents", "\u202bplanning\u202c"],
        ai_summary="A plan\u200cner.", github_repo="https://github.com/acme/v\u200eplan",
        projectPage="https://acme.ai/\u061cvplan")))
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(saved), "--db", str(db)])
    assert result.exit_code == 0, result.output
    from papertrends.collection.store import Store

    store = Store(db)
    [row] = store.load().to_dict("records")
    assert row["paper_id"] == "2510.07312"
    assert row["title"] == "abcdcba txt.exe"
    assert list(row["authors"]) == ["Ann Lee", "Bo Chen"]
    assert row["abstract"] == "Agents plan. Code: https://github.com/acme/vplan"
    assert row["organization"] == "Acme AI" and row["ai_summary"] == "A planner."
    assert list(row["ai_keywords"]) == ["LLMagents", "planning"]
    assert list(row["github_repos"]) == ["acme/vplan"]
    assert list(row["project_urls"]) == ["https://acme.ai/vplan"]
    assert [label for label in store.ingest_log()["source"]] == ["hf-api-json:day.json"]
    stored = [value for value in row.values() if isinstance(value, str)] + [
        item for value in row.values() if not isinstance(value, str) and hasattr(value, "__iter__")
        for item in value if isinstance(item, str)]
    assert not any(c in value for value in stored for c in _INVISIBLE)

    assert runner.invoke(main, ["export", "--out", str(out), "--db", str(db)]).exit_code == 0
    exported = out.read_text(encoding="utf-8")
    assert "abcdcba txt.exe" in exported and not any(c in exported for c in _INVISIBLE)
