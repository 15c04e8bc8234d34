"""The dashboard in a real browser: `streamlit run app.py` driven by Debian's Chromium.

Screenshots of every page land in artifacts/screenshots/ (git-ignored) for a person to look at.
In CI a missing browser fails the run; on a developer machine without it the tests skip.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from hf_samples import body, entry

from papertrends.collection import schema
from papertrends.sources.csv import parse_csv

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
PAGES = ["Overview", "Trends", "Authors", "Keywords", "GitHub", "Explore"]
N_OF_M = re.compile(r"([\d,]+) of ([\d,]+) papers")
# This machine class renders slowly (a cold page with four charts can take over a minute in
# software-rendered Chromium), so waits are generous; the assertions, not the clock, decide.
WAIT_MS = 600_000
pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_store, tmp_path_factory):
    """The dashboard on a copy of the seed store (the upload test, last, adds a paper)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: `make browser` installs it")
        pytest.skip("Debian's chromium is not installed (make browser)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("streamlit")
    log = folder / "streamlit.log"
    shutil.copy(seed_store.path, folder / "papers.duckdb")
    env = {**os.environ, "PAPERTRENDS_DB": str(folder / "papers.duckdb")}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def wait_until_idle(page) -> None:
    """Streamlit's own signal that the script finished, and no element still a skeleton."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
    page.wait_for_function(
        """!document.querySelector('[data-testid="stSkeleton"]')
           && !document.querySelector('[data-testid="stStatusWidget"] [data-testid]')""",
        polling=500)
    page.wait_for_timeout(300)


def n_of_m(page) -> tuple[int, int]:
    text = page.get_by_text(N_OF_M).first.inner_text()
    shown, total = N_OF_M.search(text).groups()
    return int(shown.replace(",", "")), int(total.replace(",", ""))


def open_page(page, title: str) -> None:
    """Switch pages the way a user does: the sidebar link, in the same browser session."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.wait_for_function(f"document.title.startsWith({title!r})", polling=500)
    wait_until_idle(page)


def test_every_page_renders_without_an_error(server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server)
    wait_until_idle(page)
    for title in PAGES:
        if title != "Overview":
            open_page(page, title)
        name = title.lower()
        assert page.locator('[data-testid="stException"]').count() == 0, name
        assert n_of_m(page) == (98, 98), name
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_filter_then_download_exactly_the_filtered_rows(server, page, tmp_path):
    page.goto(f"{server}/explore")
    wait_until_idle(page)
    search = page.get_by_role("textbox", name="Search title and abstract")
    search.fill("agent")
    search.press("Enter")
    page.wait_for_function("location.search.includes('q=agent')")
    wait_until_idle(page)
    shown, total = n_of_m(page)
    assert 0 < shown < total

    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download filtered CSV")).click()
    download = download_info.value
    # The file is named after what it holds: the dates and the search.
    assert re.fullmatch(r"papers_\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}_q-agent\.csv",
                        download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.split(b"\n", 1)[0].decode().replace('"', "").split(",") == list(
        schema.COLUMN_NAMES)
    rows = parse_csv(data, path=saved)
    assert rows.num_rows == shown
    for title, abstract in zip(rows["title"].to_pylist(), rows["abstract"].to_pylist(),
                               strict=True):
        assert re.search(r"(?<![^\W_])agent", f"{title}\n{abstract}".lower())
    page.screenshot(path=str(SCREENSHOTS / "explore-filtered.png"), full_page=True)


def test_a_copied_link_shows_the_same_filtered_view(server, page, browser):
    # Explore (a table, no charts): rendering is not what this test is about, and each
    # Plotly page costs minutes in software-rendered Chromium on a small machine.
    page.goto(f"{server}/explore")
    wait_until_idle(page)
    page.get_by_test_id("stRadioGroup").get_by_text("With code", exact=True).click()
    page.wait_for_function("location.search.includes('code=yes')")
    wait_until_idle(page)
    filtered = n_of_m(page)
    assert filtered[0] < filtered[1]
    # The page offers its own link, the one in the address bar.
    page.wait_for_function("[...document.querySelectorAll('[data-testid=stCode]')]"
                           ".some(e => e.innerText.includes('code=yes'))")
    offered = page.get_by_test_id("stCode").inner_text().strip()
    assert offered == page.url

    other = new_page(browser)
    other.goto(offered)
    wait_until_idle(other)
    assert n_of_m(other) == filtered
    other.context.close()


def test_hostile_link_values_show_as_written_with_no_link_image_or_math(server, page):
    """A link that would phish (a Markdown link, a bare address, an e-mail), track (an outside
    image) or deface (math): the sidebar note and the page header show its values as written,
    and the browser makes no request to the address it names."""
    asked: list[str] = []
    page.route(lambda url: (urllib.parse.urlsplit(url).hostname or "").endswith("evil.example"),
               lambda route: (asked.append(route.request.url), route.abort()))
    query = urllib.parse.urlencode({
        "from": "[Sign in again](https://evil.example/login)",
        "code": "![t](https://evil.example/pixel.png)", "to": "$x^2$",
        "q": "https://evil.example/phish www.evil.example ann@evil.example"})
    page.goto(f"{server}/explore?{query}")
    wait_until_idle(page)
    assert n_of_m(page) == (0, 98)
    sidebar = page.get_by_test_id("stSidebar")
    for written in ("from='[Sign in again](https://evil.example/login)'",
                    "code='![t](https://evil.example/pixel.png)'", "to='$x^2$'"):
        assert sidebar.get_by_text(written).is_visible(), written
    assert page.get_by_text("matching 'https://evil.example/phish' and 'www.evil.example' and "
                            "'ann@evil.example'").is_visible()
    assert page.locator('a[href*="evil.example"], a[href^="mailto:"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert page.locator(".katex").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "hostile-link.png"), full_page=True)
    assert asked == []


def test_a_refused_files_name_shows_as_written_inside_the_error(server, page, tmp_path):
    """Inside a message box (Markdown), a file name is a code span: no link, e-mail link,
    math, emoji or icon comes out of it."""
    name = "[Sign in](mailto:ann@evil.example) www.evil.example $x^2$ :+1: **b** [x].csv"
    saved = tmp_path / name
    saved.write_bytes(b"title,abstract\n\"open,quote\n")
    page.goto(f"{server}/data")
    wait_until_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(saved)
    error = page.get_by_test_id("stAlertContentError")
    error.get_by_text("nothing was changed").wait_for()
    wait_until_idle(page)
    code = error.locator("code")
    assert code.count() == 1 and code.inner_text().startswith(name)
    assert error.locator('a, img, .katex, strong').count() == 0
    assert "\N{THUMBS UP SIGN}" not in error.inner_text()


def test_uploading_a_file_previews_then_adds_it(server, page, tmp_path):
    """Last in the module: it adds a paper to the server's store."""
    saved = tmp_path / "day.json"
    saved.write_bytes(body(entry("2511.00042", "Sparse Routers for Tiny Agents", upvotes=7)))
    page.goto(f"{server}/data")
    wait_until_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(saved)
    page.get_by_text(re.compile(r"read as hf-api-json: 1 paper, 1 new")).wait_for()
    wait_until_idle(page)
    page.get_by_role("button", name=re.compile(r"Add 1 paper to the collection")).click()
    page.get_by_text("Added day.json: 1 new").wait_for()
    wait_until_idle(page)
    assert n_of_m(page) == (99, 99)
    page.screenshot(path=str(SCREENSHOTS / "data-added.png"), full_page=True)
