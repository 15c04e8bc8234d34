"""The dashboard's frame: page setup and navigation. ``app.py`` runs it, and so does
``papertrends serve`` (through ``streamlit_app.py``, which an installed package carries)."""

from __future__ import annotations

import streamlit as st

from papertrends.app.loading import show_damaged
from papertrends.common.errors import DamagedFileError
from papertrends.common.resources import package_path

# In a checkout this is pages/ at the top (the link resolved), where AppTest's switch_page looks.
PAGES_DIR = package_path("pages")

# (script, title, icon): the navigation's order; the first is the home page.
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("trends.py", "Trends", ":material/trending_up:"),
    ("authors.py", "Authors", ":material/groups:"),
    ("keywords.py", "Keywords", ":material/cloud:"),
    ("github.py", "GitHub", ":material/code:"),
    ("explore.py", "Explore", ":material/table_view:"),
    ("data.py", "Data", ":material/database:"),
)


def run() -> None:
    """Navigate to the page the URL names; each page starts with ``page.page_header()``,
    which draws the shared filters."""
    page = st.navigation([
        st.Page(PAGES_DIR / script, title=title, icon=icon, default=position == 0)
        for position, (script, title, icon) in enumerate(PAGES)])
    # The browser tab names the page first, so several open tabs stay tellable apart.
    st.set_page_config(page_title=f"{page.title} · Paper Trends", page_icon=page.icon,
                       layout="wide")
    try:
        page.run()
    except DamagedFileError as exc:  # found after the page loaded (loading stops earlier)
        show_damaged(exc)
