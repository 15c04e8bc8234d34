"""Data: where the collection came from, and adding to it (a file, or days from Hugging Face)."""

import datetime as dt

import streamlit as st

from papertrends.analytics.sources import compute_source_summary
from papertrends.analytics.table import compute_paper_table
from papertrends.app import loading, page, widgets
from papertrends.collection import pipeline, schema
from papertrends.collection.fetching import DayResult, default_endpoint, fetch_days
from papertrends.collection.pipeline import Update
from papertrends.common.errors import InputError, StoreBusyError
from papertrends.sources import read_bytes

MAX_FETCH_DAYS = 366

view = page.page_header("Data", "Where the collection came from, and adding to it: a saved "
                              "Papers page, an API response or an exported CSV, or days "
                              "fetched from Hugging Face.")
paper_store = loading.store()
widgets.show_flash()

# -- where it came from -------------------------------------------------------------------

st.subheader("The collection")
log = paper_store.ingest_log()
figures = compute_source_summary(view.collection.papers, log)
columns = st.columns(4)
columns[0].metric("Papers", f"{figures['papers']:,}")
columns[1].metric("First published", str(figures["first_published"] or "unknown"))
columns[2].metric("Last published", str(figures["last_published"] or "unknown"))
last_update = figures["last_update"]
columns[3].metric("Last update", "never" if last_update is None else f"{last_update:%Y-%m-%d}",
                  help=None if last_update is None else f"{last_update:%Y-%m-%d %H:%M} UTC")
st.dataframe(figures["sources"], hide_index=True, width="stretch", column_config={
    "kind": "Source", "papers": widgets.count_column("Papers first read from it"),
    "ingests": widgets.count_column("Ingests"),
    "last_ingest": st.column_config.DatetimeColumn("Last ingest", format="YYYY-MM-DD HH:mm")})
with st.expander(f"Ingest history ({len(log):,})"):
    st.dataframe(log.iloc[::-1], hide_index=True, width="stretch", column_config={
        "ingested_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
        "source": "Source", "new": "New", "updated": "Updated", "unchanged": "Unchanged"})

# -- adding a file ----------------------------------------------------------------------------

st.subheader("Add a file")
upload = st.file_uploader(
    "A saved Hugging Face Papers page (.txt), a Daily Papers API response (.json) or a CSV "
    "exported by Paper Trends", type=["txt", "md", "json", "csv"], key="data_upload",
    # No max_upload_size: the widget then shows and checks server.maxUploadSize, the limit
    # the server itself enforces (app/streamlit_config.toml).
    help="The file is checked and previewed first; nothing is added until you confirm.")
if upload is not None:
    name = widgets.literal(upload.name)  # a file name is user data: shown, never markup
    taxonomy = loading.current_taxonomy()
    try:
        fmt, table = read_bytes(upload.getvalue(), upload.name)
        label = f"{fmt}:{upload.name}"
        preview, enriched = Update(paper_store, taxonomy).preview(label, table)
    except InputError as exc:
        st.error(f"This file cannot be added; nothing was changed.\n\n"
                 f"{widgets.literal(str(exc))}",
                 icon=":material/error:")
    except StoreBusyError as exc:
        st.warning(widgets.literal(str(exc)))
    else:
        st.markdown(f"{name} read as `{fmt}`: {widgets.plural(table.num_rows, 'paper')}, "
                    f"**{preview.new:,} new**, {preview.updated:,} updated, "
                    f"{preview.unchanged:,} unchanged.")
        st.dataframe(compute_paper_table(schema.to_frame(enriched), "Newest", limit=50),
                     hide_index=True, width="stretch", height=260,
                     column_order=["title", "published", "upvotes", "n_authors", "topics",
                                   "github"], column_config=widgets.PAPER_COLUMNS)
        changed = preview.new + preview.updated
        if st.button(f"Add {widgets.plural(changed, 'paper')} to the collection",
                     type="primary", disabled=not changed,
                     key="data_add"):
            try:
                [report] = pipeline.ingest(paper_store, [(label, table)], taxonomy)
            except StoreBusyError as exc:
                st.warning(widgets.literal(str(exc)))
            else:
                widgets.flash(f"Added {name}: {report}.")
                del st.session_state["data_upload"]
                st.rerun()

# -- fetching from Hugging Face ---------------------------------------------------------------

st.subheader("Fetch from Hugging Face Daily Papers")
endpoint = default_endpoint()
st.caption(f"Each day is requested from {endpoint}/api/daily_papers and stored as soon as it "
           "arrives; days already fetched after they ended are skipped. Set `HF_ENDPOINT` "
           "before starting the app to use a mirror.")
today = dt.date.today()
with st.form("data_fetch", border=False):
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    days = left.date_input("Days", value=(today - dt.timedelta(days=6), today),
                           max_value=today, format="YYYY-MM-DD", key="data_days")
    refresh = right.checkbox("Fetch complete days again", key="data_refresh",
                             help="To pick up upvotes gained since the last fetch.")
    submitted = st.form_submit_button("Fetch", type="primary", icon=":material/download:",
                                      key="data_fetch_go")
if submitted:
    if len(days) != 2:
        st.warning("Choose a first and a last day.")
    elif (days[1] - days[0]).days + 1 > MAX_FETCH_DAYS:
        st.warning(f"Fetch at most {MAX_FETCH_DAYS} days at a time from here; "
                   "`papertrends fetch --since ...` handles longer ranges.")
    else:
        since, until = days
        total = (until - since).days + 1
        bar = st.progress(0.0, text=f"Fetching {total} days...")
        done: list[DayResult] = []

        def show(result: DayResult) -> None:
            done.append(result)
            found = sum(d.papers for d in done if d.status == "fetched")
            bar.progress(len(done) / total, text=f"{result.day}: {result.status}; "
                         f"{len(done)} of {total} days, {found:,} papers found")

        try:
            report = fetch_days(paper_store, since, until, refresh=refresh, progress=show)
        except StoreBusyError as exc:
            st.warning(f"{widgets.literal(str(exc))}. The days fetched so far are stored.")
        else:
            bar.empty()
            if report.ok:
                widgets.flash(f"Fetched from Hugging Face: {report}.")
            else:
                widgets.flash(f"Fetched from Hugging Face: {report}. Days that failed (run the "
                              f"fetch again to finish them; every other day is stored): "
                              f"{widgets.literal(report.failures())}", kind="warning")
            st.rerun()

fetched = paper_store.fetched_days()
if len(fetched):
    with st.expander(f"Days fetched from the API ({len(fetched):,})"):
        st.dataframe(fetched.iloc[::-1], hide_index=True, width="stretch", column_config={
            "day": st.column_config.DateColumn("Day", format="YYYY-MM-DD"),
            "fetched_at": st.column_config.DatetimeColumn("Fetched", format="YYYY-MM-DD HH:mm"),
            "n_papers": widgets.count_column("Papers listed")})
