"""The collection: the record schema, its DuckDB store, the ingest pipeline and the shared
filters. Everything that writes the collection lives here."""
