"""Enrichment gives each paper the same derived fields, however the work is split."""

from __future__ import annotations

import pyarrow as pa

from papertrends.collection import enrich as enrich_module
from papertrends.collection.enrich import enrich
from papertrends.sources import read_path


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
