"""Files the package carries beside its code: the saved Papers page and the topic taxonomy
(``papertrends/shipped/``), the dashboard's page scripts (``papertrends/pages/``) and its
entry script (``papertrends/app/streamlit_app.py``).

In the repository the first two stay at the top, in ``data/`` and ``pages/``, where people
look for them; ``src/papertrends/shipped`` and ``src/papertrends/pages`` are symbolic links to
those folders. So ``src`` on ``sys.path``, an editable install and a wheel all find them
inside the imported package, whatever the working directory, and a checkout never borrows
another checkout's pages.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(*parts: str) -> Path:
    """A file or folder inside the package, as a real path (DuckDB, Streamlit and ``open``
    want one; pip installs a package as files, never zipped). Resolved, so a checkout names
    the file people edit, ``data/topics.toml``, rather than the link to it."""
    return Path(str(files("papertrends").joinpath(*parts))).resolve()
