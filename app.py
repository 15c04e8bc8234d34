"""Paper Trends dashboard: a summary of the stored collection."""

from pathlib import Path

import streamlit as st

from papertrends.analytics.summary import compute_key_figures
from papertrends.enrich import enrich
from papertrends.sources import read_path
from papertrends.store import Store
from papertrends.topics import load_taxonomy

SEED = Path(__file__).parent / "data" / "hf_papers_seed.txt"

st.set_page_config(page_title="Paper Trends", page_icon=":material/trending_up:", layout="wide")
store = Store()
taxonomy = load_taxonomy()
if not store.exists():
    with st.spinner("Building the collection from the shipped Papers page..."):
        _, table = read_path(SEED)
        store.ingest([(f"hf-page:{SEED.name}", enrich(table, taxonomy))], taxonomy)
store.sync_topics(taxonomy)
figures = compute_key_figures(store.load())
st.title("Paper Trends")
columns = st.columns(4)
columns[0].metric("Papers", figures["papers"])
columns[1].metric("Published", f"{figures['first_published']} to {figures['last_published']}")
columns[2].metric("Median authors", figures["median_authors"])
columns[3].metric("With GitHub code", f"{figures['share_with_code']:.0%}")
