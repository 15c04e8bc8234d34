"""Benchmark: does the dashboard stay interactive at 10k, 100k and 1M papers?

    python bench/run.py [SIZE ...] [--seed S] [--repeat R]      (make bench SIZES="10000")

For each size, on a synthetic collection (``papertrends synth``) made once and kept under
bench/work/, separate processes measure, so that each peak memory figure is its own:

1. ingest: read the Parquet file, enrich, store, and build the indexes the pages need;
2. ready: a fresh process opens the existing store until the first page is drawn;
3. pages: every page's script through Streamlit's AppTest, rerun after each filter change
   (a date range, a topic, a search word); the Keywords page again with the same filters
   (its word cloud then comes from the cache). A script that only draws the shared filters
   is measured the same way: the floor every page pays, so "beyond the floor" is what each
   page's own analytics and charts add. The same on the shipped page's 98 papers, once per
   run: each page's rerun at a size over its rerun there (within 4x: a page costs much the
   same at any size);
4. daily update: one fetched day (50 new papers, 50 seen again with more upvotes) through
   the ingest pipeline into a copy of the store, the same day into an empty store (both in
   a process of their own, as `papertrends fetch` runs), and a dashboard open beside them
   rerunning to show the new papers; the index folder's size;
5. naive: on the same data, in the same process as our Keywords computation, what a
   hand-made dashboard does on each rerun (``str.contains`` over the text, then
   ``WordCloud.generate`` on the selected abstracts joined), and the ratio.

Times are medians of ``--repeat`` runs (the slowest filter change is shown too). Nothing here
asserts a time: the table is printed and written to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PAGES = ("overview", "trends", "authors", "keywords", "github", "explore", "data")
# What every page does before its own work (load, sidebar, filter mask, header) and Streamlit's
# own cost per rerun: measured alone, so each page's figure minus this one is what it adds.
FLOOR = "floor"
FLOOR_SCRIPT = ('from papertrends.app import page\n'
                'page.page_header("Floor", "filters only")\n')
TODAY = dt.date(2026, 11, 1)  # fixed, so that the same size and seed give the same corpus
SEARCH_WORD = "agent"
NAIVE_LIMIT = 100_000  # the naive word cloud takes minutes per run beyond this


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


# -- the steps, each run in its own process ---------------------------------------------------

def corpus(size: int, seed: int) -> Path:
    path = WORK / f"synth-{size}-seed{seed}.parquet"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([Path(sys.executable).with_name("papertrends"), "-q", "synth", "--papers",
                        str(size), "--seed", str(seed), "--today", TODAY.isoformat(),
                        "--out", str(path)], check=True)
    return path


def store_path(size: int, seed: int) -> Path:
    return WORK / f"store-{size}-seed{seed}.duckdb"


def step_ingest(size: int, seed: int) -> dict:
    """What `papertrends ingest` does, with each part timed."""
    from papertrends.collection.enrich import enrich
    from papertrends.collection.pipeline import Update
    from papertrends.collection.store import Store
    from papertrends.collection.topics import load_taxonomy
    from papertrends.sources import read_path

    source = corpus(size, seed)
    target = store_path(size, seed)
    for stale in target.parent.glob(target.name + "*"):
        stale.unlink() if stale.is_file() else __import__("shutil").rmtree(stale)
    taxonomy = load_taxonomy()
    read_s, (used, table) = timed(read_path, source)
    enrich_s, table = timed(enrich, table, taxonomy)
    store = Store(target)
    store_s, _ = timed(store.ingest, [(f"{used}:{source.name}", table)], taxonomy)
    del table  # as `papertrends ingest` frees it before indexing

    def index() -> None:
        Update(store, taxonomy).refresh_indexes()

    index_s, _ = timed(index)
    total = read_s + enrich_s + store_s + index_s
    result = {"ingest_s": total, "read_s": read_s, "enrich_s": enrich_s, "store_s": store_s,
            "index_s": index_s, "papers_per_s": size / total if total else None,
            "ingest_peak_mib": peak_memory_mib()}
    ingest_record(size, seed).write_text(json.dumps(result))
    return result


def ingest_record(size: int, seed: int) -> Path:
    """Where an ingest's figures are kept, for --reuse-ingest."""
    return WORK / f"ingest-{size}-seed{seed}.json"


def _app_test(page: str):
    from streamlit.testing.v1 import AppTest
    if page == FLOOR:
        return AppTest.from_string(FLOOR_SCRIPT, default_timeout=3600)
    return AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=3600)


def step_ready(size: int, seed: int) -> dict:
    """A fresh process on an existing store: imports, load, first page drawn."""
    start = time.perf_counter()
    app = _app_test("overview")
    app.run()
    ready_s = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(f"overview failed: {app.exception[0].value}")
    from papertrends.collection.loaded import Collection
    from papertrends.collection.store import Store
    load_s, collection = timed(Collection.from_store, Store(os.environ["PAPERTRENDS_DB"]))
    first_search_s, _ = timed(collection.matching, SEARCH_WORD)
    return {"ready_s": ready_s, "load_s": load_s, "first_search_s": first_search_s}


def _filter_changes(app) -> list[tuple[str, object]]:
    """(name, how to set it) for the three filter changes, each from the unfiltered view."""
    low, high = app.slider(key="f_dates").value  # the full range: nothing narrowed yet
    start = max(low, high - dt.timedelta(days=730))
    topics = app.multiselect(key="f_topics").options
    topic = "Reinforcement learning" if "Reinforcement learning" in topics else topics[0]
    return [
        ("date", lambda a: a.slider(key="f_dates").set_range(start, high)),
        ("topic", lambda a: a.multiselect(key="f_topics").set_value([topic])),
        ("search", lambda a: a.text_input(key="f_search").set_value(SEARCH_WORD)),
    ]


def _reset(app) -> None:
    """Back to the unfiltered view, as the sidebar's Reset button does."""
    app.button(key="f_reset").click().run()


def step_pages(size: int, seed: int, repeat: int) -> dict:
    import streamlit as st

    results: dict[str, object] = {}
    for page in (FLOOR, *PAGES):
        app = _app_test(page)
        first_s, _ = timed(app.run)
        if app.exception:
            raise RuntimeError(f"{page} failed: {app.exception[0].value}")
        times: list[float] = []
        cached: list[float] = []
        for _ in range(repeat):
            for _name, change in _filter_changes(app):
                if page == "keywords":  # cold each time: no cloud left from an earlier repeat
                    st.cache_data.clear()
                change(app)
                took, _ = timed(app.run)
                if app.exception:
                    raise RuntimeError(f"{page} failed: {app.exception[0].value}")
                times.append(took)
                if page == "keywords":  # the same filters again: the cloud comes from cache
                    cached.append(timed(app.run)[0])
                _reset(app)
        results[page] = {"first_s": first_s, "median_s": statistics.median(times),
                         "max_s": max(times)}
        if cached:
            results[page]["cached_median_s"] = statistics.median(cached)
    results["pages_peak_mib"] = peak_memory_mib()
    return results


UPDATE_NEW = UPDATE_AGAIN = 50  # one fetched day: papers new to the store, papers seen again


def _daily_update(size: int, seed: int):
    """The day to add: ``UPDATE_NEW`` new papers (ids the corpus never uses) and
    ``UPDATE_AGAIN`` stored ones with more upvotes, as one table from a source."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from papertrends.collection import schema
    from papertrends.collection.store import Store
    from papertrends.sources import SHIPPED_PAGE, read_path
    from papertrends.sources.synth import synthesize

    _, base = read_path(SHIPPED_PAGE)
    [new] = list(synthesize(UPDATE_NEW, schema.to_frame(base), seed=seed + 7, today=TODAY))
    new = new.set_column(0, "paper_id", pa.array([f"day-{i}" for i in range(UPDATE_NEW)]))
    store = Store(os.environ["PAPERTRENDS_DB"])
    stored = store.load(with_text=False)  # the texts of the few picked only: a day is small
    picked = np.random.default_rng(seed).choice(len(stored), min(UPDATE_AGAIN, len(stored)),
                                                replace=False)
    again = stored.iloc[np.sort(picked)].drop(columns=["first_seen", "last_updated", "topics"])
    texts = store.texts(again["paper_id"].tolist()).to_pandas(types_mapper=pd.ArrowDtype)
    again = again.assign(**{column: texts[column].array for column in texts.columns})
    again = again.assign(upvotes=again["upvotes"].fillna(0).astype("int64") + 25)
    again_table = schema.conform(pa.Table.from_pandas(again, preserve_index=False))
    return pa.concat_tables([schema.conform(new), again_table], promote_options="default")


def _folder_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def step_update(size: int, seed: int, repeat: int) -> dict:
    """The daily update (one fetched day through the pipeline) into a copy of the store and
    into an empty store, each in a process of its own as `papertrends fetch` runs, and a
    dashboard open beside it (in this process) rerunning once the day has landed."""
    import shutil
    import tempfile

    source = Path(os.environ["PAPERTRENDS_DB"])
    terms_folder = source.with_name(source.name + ".terms")
    figures = {"store_mib": _folder_mib(source), "index_mib": _folder_mib(terms_folder)}
    into_store, into_empty, reloads = [], [], []
    for attempt in range(repeat):
        with tempfile.TemporaryDirectory(dir=WORK) as scratch:
            copy = Path(scratch) / source.name
            shutil.copy(source, copy)
            shutil.copytree(terms_folder, copy.with_name(copy.name + ".terms"))
            # A store is written to disk long before its next update: the copy's pages, still
            # dirty in memory, would make the update's commit write the whole file.
            os.sync()
            os.environ["PAPERTRENDS_DB"] = str(copy)
            app = _app_test("overview")
            app.run()  # the dashboard, open before the day arrives
            done = subprocess.run(
                [sys.executable, __file__, "--step", "update-work", "--seed", str(seed),
                 "--attempt", str(attempt), str(size)],
                env={**os.environ, "PAPERTRENDS_SOURCE_DB": str(source)}, check=True,
                stdout=subprocess.PIPE, text=True)
            work = json.loads(done.stdout.strip().splitlines()[-1])
            into_store.append(work["into_store_s"])
            into_empty.append(work["into_empty_s"])
            reload_s, _ = timed(app.run)
            reloads.append(reload_s)
            header = app.markdown[0].value
            expected = f"{size + UPDATE_NEW:,} of {size + UPDATE_NEW:,} papers"
            if expected not in header:
                raise RuntimeError(f"the dashboard shows {header!r}, not {expected!r}")
            os.environ["PAPERTRENDS_DB"] = str(source)
    figures |= {"update_s": statistics.median(into_store),
                "update_empty_s": statistics.median(into_empty),
                "update_reload_s": statistics.median(reloads)}
    figures["update_ratio"] = figures["update_s"] / figures["update_empty_s"]
    return figures


def step_update_work(size: int, seed: int, attempt: int) -> dict:
    """One update into the store at PAPERTRENDS_DB (a copy), then the same into an empty
    store: both with the libraries loaded (scikit-learn's import alone is a second), so what
    is compared is the work, which must follow the day, not the collection."""
    import tempfile

    from papertrends.collection import pipeline
    from papertrends.collection.store import Store
    from papertrends.collection.topics import load_taxonomy
    from papertrends.indexes import terms

    copy = Path(os.environ["PAPERTRENDS_DB"])
    os.environ["PAPERTRENDS_DB"] = os.environ["PAPERTRENDS_SOURCE_DB"]
    day = _daily_update(size, seed)  # from the source store: the same day every attempt
    taxonomy = load_taxonomy()
    terms.count_raw(["warm up the text analysis"])
    into_store, _ = timed(pipeline.ingest, Store(copy), [("hf-api:bench-day", day)], taxonomy,
                          fetched_day=TODAY + dt.timedelta(days=attempt))
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        into_empty, _ = timed(pipeline.ingest, Store(Path(scratch) / "empty.duckdb"),
                              [("hf-api:bench-day", day)], taxonomy, fetched_day=TODAY)
    return {"into_store_s": into_store, "into_empty_s": into_empty}


def step_naive(size: int, seed: int, repeat: int) -> dict:
    """The hand-made dashboard beside ours, on the same filter change, in one process."""
    import numpy as np
    from wordcloud import WordCloud

    from papertrends.analytics.keywords import compute_term_frequencies
    from papertrends.charts.keywords import word_cloud_image
    from papertrends.collection.filters import Filters
    from papertrends.collection.loaded import Collection
    from papertrends.collection.store import Store
    from papertrends.collection.topics import load_taxonomy
    from papertrends.indexes.term_cache import TermCache

    store = Store(os.environ["PAPERTRENDS_DB"])
    papers = store.load()
    collection = Collection(papers, load_taxonomy().names, TermCache.beside(store.path), store)
    index_s, index = timed(collection.term_index)  # from the cache made at ingest
    filters = Filters(search=SEARCH_WORD)

    def ours() -> None:
        mask = filters.mask(collection)
        frequencies = compute_term_frequencies(index, mask, top=60)
        word_cloud_image(frequencies)

    def naive() -> None:
        text = papers["title"].fillna("") + " " + papers["abstract"].fillna("")
        selected = papers[text.str.contains(SEARCH_WORD, case=False, regex=False)]
        joined = " ".join(selected["abstract"].fillna("").tolist())
        WordCloud(width=1200, height=500, max_words=60).generate(joined).to_image()

    ours_times = [timed(ours)[0] for _ in range(repeat)]
    naive_times = [timed(naive)[0]]  # minutes per run at 100,000 papers: once
    ours_s, naive_s = statistics.median(ours_times), statistics.median(naive_times)
    np.seterr(all="ignore")
    return {"keywords_ours_s": ours_s, "keywords_naive_s": naive_s,
            "naive_ratio": naive_s / ours_s, "term_index_s": index_s}


# -- the orchestrator ----------------------------------------------------------------------------

def shipped_store() -> Path:
    """The shipped Papers page as a store, as a first run builds it: what every page's rerun
    at a size is compared with (a page must cost much the same at any size)."""
    from papertrends.sources import SHIPPED_PAGE

    path = WORK / "store-shipped.duckdb"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([Path(sys.executable).with_name("papertrends"), "-q", "ingest", "--db",
                        str(path), str(SHIPPED_PAGE)], check=True)
    return path


def child(step: str, size: int, seed: int, repeat: int, db: Path | None = None) -> dict:
    env = {**os.environ, "PAPERTRENDS_DB": str(db or store_path(size, seed))}
    command = [sys.executable, __file__, "--step", step, "--seed", str(seed), "--repeat",
               str(repeat), str(size)]
    done = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.1f} s"
    return f"{value:,.0f} {unit}"


def table(results: dict[int, dict], shipped: dict | None = None) -> str:
    """The figures per size; ``shipped``: the pages on the shipped 98 papers, which each
    page's rerun is compared with."""
    sizes = sorted(results)
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, pick, unit: str = "s") -> None:
        rows.append((label, [fmt(pick(results[s]), unit) if pick(results[s]) is not None
                             else "-" for s in sizes]))

    row("ingest (read + enrich + store + index)", lambda r: r["ingest_s"])
    row("  papers per second", lambda r: r["papers_per_s"], "/s")
    row("  read / enrich / store / index",
        lambda r: None)
    rows[-1] = (rows[-1][0], [" / ".join(fmt(results[s][k]) for k in
                                         ("read_s", "enrich_s", "store_s", "index_s"))
                              for s in sizes])
    row("ingest peak memory", lambda r: r["ingest_peak_mib"], "MiB")
    row("ready: fresh process to first page", lambda r: r["ready_s"])
    row("  store -> pandas load (all but the abstracts)", lambda r: r["load_s"])
    row("  first search: word index loaded for it", lambda r: r.get("first_search_s"))
    row("floor (load, sidebar, filter mask, header): rerun after filter change (median)",
        lambda r: r[FLOOR]["median_s"] if FLOOR in r else None)
    for page in PAGES:
        cold = ", word cloud cold" if page == "keywords" else ""
        row(f"{page}: rerun after filter change (median{cold})",
            lambda r, p=page: r[p]["median_s"])
        row("  beyond the floor", lambda r, p=page: r[p]["median_s"] - r[FLOOR]["median_s"]
            if FLOOR in r else None)
        row("  slowest change", lambda r, p=page: r[p]["max_s"])
        if shipped:
            rows.append(("  this rerun / on the shipped 98 papers",
                         [f"{results[s][page]['median_s'] / shipped[page]['median_s']:.1f}x"
                          for s in sizes]))
    row(f"daily update ({UPDATE_NEW} new, {UPDATE_AGAIN} seen again), indexes included",
        lambda r: r.get("update_s"))
    row("  the same update into an empty store", lambda r: r.get("update_empty_s"))
    rows.append(("  into this store / into an empty one",
                 [f"{results[s]['update_ratio']:.1f}x" if results[s].get("update_ratio")
                  else "-" for s in sizes]))
    row("  dashboard beside it: rerun showing the new papers", lambda r: r.get("update_reload_s"))
    row("store file", lambda r: r.get("store_mib"), "MiB")
    row("index folder beside it", lambda r: r.get("index_mib"), "MiB")
    row("keywords: same filters again (cloud cached)",
        lambda r: r["keywords"].get("cached_median_s"))
    row("dashboard peak memory", lambda r: r["pages_peak_mib"], "MiB")
    row("keywords compute, ours (search change)", lambda r: r.get("keywords_ours_s"))
    row("keywords compute, naive", lambda r: r.get("keywords_naive_s"))
    rows.append(("naive / ours", [f"{results[s]['naive_ratio']:.0f}x"
                                  if results[s].get("naive_ratio") else "-" for s in sizes]))
    head = "| measure | " + " | ".join(f"{s:,} papers" for s in sizes) + " |"
    lines = [head, "|" + "---|" * (len(sizes) + 1)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000],
                        help="collection sizes (default: 10000 100000 1000000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--reuse-ingest", action="store_true",
                        help="keep a store (and its ingest figures) made by an earlier run")
    parser.add_argument("--step", choices=("ingest", "ready", "pages", "update", "update-work",
                                           "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--attempt", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        (size,) = args.sizes
        step = {"ingest": lambda: step_ingest(size, args.seed),
                "ready": lambda: step_ready(size, args.seed),
                "pages": lambda: step_pages(size, args.seed, args.repeat),
                "update": lambda: step_update(size, args.seed, args.repeat),
                "update-work": lambda: step_update_work(size, args.seed, args.attempt),
                "naive": lambda: step_naive(size, args.seed, args.repeat)}[args.step]
        print(json.dumps(step()))
        return

    print("== the shipped page's papers", file=sys.stderr, flush=True)
    shipped = child("pages", 0, args.seed, args.repeat, db=shipped_store())
    results: dict[int, dict] = {}
    for size in args.sizes:
        print(f"== {size:,} papers", file=sys.stderr, flush=True)
        corpus(size, args.seed)
        result: dict = {}
        steps = ["ingest", "ready", "pages", "update"]
        record = ingest_record(size, args.seed)
        if args.reuse_ingest and record.exists() and store_path(size, args.seed).exists():
            result.update(json.loads(record.read_text()))
            steps.remove("ingest")
        for step in steps:
            print(f"   {step}...", file=sys.stderr, flush=True)
            result.update(child(step, size, args.seed, args.repeat))
        if size <= NAIVE_LIMIT:
            print("   naive...", file=sys.stderr, flush=True)
            result.update(child("naive", size, args.seed, args.repeat))
        results[size] = result
        print(table({size: result}, shipped), file=sys.stderr, flush=True)
    report = table(results, shipped)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    (RESULTS / f"bench-{stamp}.md").write_text(
        f"# make bench, {stamp} ({machine}, seed {args.seed}, median of {args.repeat})\n\n"
        f"{report}\n\n```json\n{json.dumps(results, indent=1)}\n```\n")
    print(f"\nwritten to {RESULTS / f'bench-{stamp}.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
