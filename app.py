"""Paper Trends: `streamlit run app.py` (or `papertrends serve`) starts the dashboard."""

from papertrends.app.frame import run

run()
