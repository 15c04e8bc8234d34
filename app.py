"""Paper Trends: the frame (page setup, navigation); each page draws the shared filters."""

import streamlit as st

page = st.navigation([
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/trends.py", title="Trends", icon=":material/trending_up:"),
    st.Page("pages/authors.py", title="Authors", icon=":material/groups:"),
    st.Page("pages/keywords.py", title="Keywords", icon=":material/cloud:"),
    st.Page("pages/github.py", title="GitHub", icon=":material/code:"),
    st.Page("pages/explore.py", title="Explore", icon=":material/table_view:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
])
# The browser tab names the page first, so several open tabs stay tellable apart.
st.set_page_config(page_title=f"{page.title} · Paper Trends", page_icon=page.icon, layout="wide")
page.run()  # each page starts with ui.page_header(), which draws the shared filters
