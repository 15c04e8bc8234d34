"""Indexes derived from the collection and kept beside the store: term counts, finished term
indexes and the search word index."""
