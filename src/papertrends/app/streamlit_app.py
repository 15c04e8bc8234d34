"""The dashboard's entry script inside the package, for ``papertrends serve`` (``streamlit
run`` wants a file); ``app.py`` at the top of the repository is the same two lines."""

from papertrends.app.frame import run

run()
