"""Paper Trends as a user installs it: `pip install .` and `papertrends serve`.

The wheel is built from a copy of the checkout and installed into a fresh venv, which borrows
the dependencies of the interpreter running the tests instead of asking a registry; its
commands then run from a folder outside the repository with nothing set, so the shipped page,
the taxonomy, the page scripts and the default store location are the ones an install has.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port

from papertrends.app import loading
from papertrends.cli import main
from papertrends.collection.store import Store

PAGES = sorted(path.name for path in (REPO_ROOT / "pages").glob("*.py"))


@pytest.fixture
def new_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME of its own and none of our variables set: the defaults, as a new user has them."""
    for name in ("PAPERTRENDS_DB", "PAPERTRENDS_TOPICS", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.parametrize("where, env_db", [
    ("repository", None),
    ("elsewhere", None),
    ("elsewhere", "mine.duckdb"),
])
def test_the_cli_the_dashboard_and_store_agree_on_the_store(new_user, tmp_path, monkeypatch,
                                                             where, env_db) -> None:
    monkeypatch.chdir(REPO_ROOT if where == "repository" else tmp_path)
    if env_db:
        monkeypatch.setenv("PAPERTRENDS_DB", env_db)
    stats = CliRunner().invoke(main, ["stats"])
    found = re.search(r"Error: (\S+): no collection here yet", stats.output)
    assert found, stats.output
    cli_path = Path(found[1])
    assert cli_path == Store().path == loading.store().path
    if env_db:
        assert cli_path == Path(env_db)
    else:
        assert cli_path.is_absolute() and cli_path.is_relative_to(new_user)


def _execve_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """What `papertrends serve` would hand the process over to, without starting a server."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: calls.append((argv, env)))
    return calls


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.mark.parametrize("args, address, port, warned", [
    ([], "127.0.0.1", "8501", False),
    (["--host", "localhost"], "localhost", "8501", False),
    (["--host", "0.0.0.0", "--port", "9000"], "0.0.0.0", "9000", True),
])
def test_serve_listens_on_this_machine_unless_told(new_user, tmp_path, monkeypatch, args,
                                                   address, port, warned) -> None:
    monkeypatch.chdir(tmp_path)
    calls = _execve_calls(monkeypatch)
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    [(argv, env)] = calls
    assert argv[1:4] == ["-m", "streamlit", "run"]
    assert Path(argv[4]).name == "streamlit_app.py" and Path(argv[4]).is_file()
    assert (_flag(argv, "--server.address"), _flag(argv, "--server.port")) == (address, port)
    assert _flag(argv, "--server.headless") == "true"
    assert _flag(argv, "--browser.gatherUsageStats") == "false"
    assert env["PAPERTRENDS_DB"] == str(Store().path)
    assert ("change the collection from the Data page" in result.stderr) == warned


def test_serve_passes_db_and_topics_to_the_dashboard(new_user, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    calls = _execve_calls(monkeypatch)
    result = CliRunner().invoke(main, ["serve", "--db", "mine.duckdb", "--topics", "t.toml"])
    assert result.exit_code == 0, result.output
    [(_, env)] = calls
    assert env["PAPERTRENDS_DB"] == str(tmp_path / "mine.duckdb")
    assert env["PAPERTRENDS_TOPICS"] == str(tmp_path / "t.toml")
    missing = CliRunner().invoke(main, ["serve", "--db", "no/such/folder/x.duckdb"])
    assert missing.exit_code == 1 and "does not exist" in missing.output and len(calls) == 1


UPLOAD_LIMIT = "maxUploadSize = 100"  # MB: the Data page's largest file, as the server enforces it


def _streamlit_config(*flags: str, cwd: Path) -> str:
    """The settings Streamlit runs with, given these flags in this folder (`config show`
    reads the folder's .streamlit/config.toml and takes every option `run` takes)."""
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show", *flags],
                           cwd=cwd, capture_output=True, text=True, timeout=120, check=True)
    return shown.stdout


def test_serve_and_streamlit_run_set_the_servers_upload_limit(
        new_user, tmp_path, monkeypatch) -> None:
    """A file sent straight to the upload endpoint meets the server's own limit, not only the
    widget's: `papertrends serve` from any folder and `streamlit run app.py` in the checkout
    run with the same figure the upload widget shows."""
    monkeypatch.chdir(tmp_path)
    calls = _execve_calls(monkeypatch)
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    [(argv, _)] = calls
    settings = argv[argv.index("run") + 2:]  # the flags after the script
    assert UPLOAD_LIMIT in _streamlit_config(*settings, cwd=tmp_path)  # no config file here
    assert UPLOAD_LIMIT in _streamlit_config(cwd=REPO_ROOT)  # what `streamlit run app.py` reads


def test_serve_help_warns_about_other_hosts() -> None:
    text = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "[default: 127.0.0.1]" in text and "[default: 8501" in text
    assert "0.0.0.0" in text and "anyone on the network" in text and "Data page" in text


# -- the wheel, installed --------------------------------------------------------------------

def _run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          timeout=240, check=False, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}{done.stderr}"
    return done


def _copy_checkout(to: Path) -> None:
    """What the wheel is built from, copied (links kept) so the build writes nothing into the
    checkout; with a collection planted in data/, as someone who ran an old `make run` has."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.duckdb*")
    for name in ("src", "data", "pages"):
        shutil.copytree(REPO_ROOT / name, to / name, symlinks=True, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, to / name)
    (to / "data" / "papers.duckdb").write_bytes(b"someone's collection")
    (to / "data" / "papers.duckdb.terms").mkdir()
    (to / "data" / "papers.duckdb.terms" / "index-both.npz").write_bytes(b"its term index")


def _dependency_folders() -> list[str]:
    """The folders this interpreter finds installed distributions in, less any that holds a
    papertrends package (a source tree on the path): the venv imports only the wheel's."""
    return [folder for folder in dict.fromkeys(map(os.path.abspath, sys.path))
            if os.path.isdir(folder) and next(Path(folder).glob("*.dist-info"), None)
            and not os.path.isdir(os.path.join(folder, "papertrends"))]


def _as_a_user(home: Path) -> dict[str, str]:
    """The environment of someone who installed the wheel and set nothing."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PAPERTRENDS_") and name not in ("PYTHONPATH", "XDG_DATA_HOME")}
    home.mkdir(parents=True, exist_ok=True)
    return {**env, "HOME": str(home)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv, the wheel): `pip install` of a wheel built from this checkout, offline."""
    work = tmp_path_factory.mktemp("install")
    _copy_checkout(work / "source")
    # No registry and no build isolation: the setuptools installed here builds it (the test
    # extra asks for one that can); a failure names that.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--quiet", "-w", work / "wheels", work / "source"])
    [wheel] = (work / "wheels").glob("papertrends-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--quiet", wheel])
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    Path(site.stdout.strip(), "dependencies.pth").write_text("\n".join(_dependency_folders()))
    return venv, wheel


def test_the_wheel_carries_the_data_and_the_pages_but_no_collection(installed) -> None:
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"papertrends/shipped/hf_papers_seed.txt", "papertrends/shipped/topics.toml",
                "papertrends/app/streamlit_app.py", "papertrends/app/streamlit_config.toml",
                *(f"papertrends/pages/{p}" for p in PAGES)}
    assert expected <= names, sorted(expected - names)
    assert not [name for name in names if "duckdb" in name]


def test_the_installed_commands_keep_the_collection_in_the_user_data_folder(installed,
                                                                            tmp_path) -> None:
    venv, _ = installed
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not elsewhere.is_relative_to(REPO_ROOT)
    env = _as_a_user(home)

    def papertrends(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([venv / "bin" / "papertrends", *args], cwd=elsewhere, env=env)

    imported = _run([venv / "bin" / "python", "-c",
                     "import papertrends; print(papertrends.__file__)"], cwd=elsewhere, env=env)
    assert Path(imported.stdout.strip()).is_relative_to(venv)
    # synth reads the packaged page; ingest and stats tag with the packaged taxonomy.
    papertrends("synth", "--papers", "40", "--seed", "1", "--out", "synth.csv")
    ingested = papertrends("ingest", "synth.csv")
    [db] = home.rglob("papers.duckdb")
    assert ingested.stdout.strip() == f"{db}: 40 papers read, 40 new, 0 updated"
    stats = papertrends("stats").stdout
    assert "papers: 40" in stats and re.search(r"top topics:\n  \w", stats)
    papertrends("export", "--out", "all.csv")
    with (elsewhere / "all.csv").open(newline="", encoding="utf-8") as file:
        assert len(list(csv.DictReader(file))) == 40
    assert sorted(p.name for p in elsewhere.iterdir()) == ["all.csv", "synth.csv"]
    assert str(db) in "".join(papertrends("stats", "--help").stdout.split())


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_installed_dashboard_builds_its_first_collection(installed, tmp_path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: `make browser` installs it")
        pytest.skip("Debian's chromium is not installed (make browser)")
    venv, _ = installed
    home = tmp_path / "home"
    port = _free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen([str(venv / "bin" / "papertrends"), "serve", "--port", str(port)],
                               cwd=tmp_path, env=_as_a_user(home), stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base, process, log)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base)
            page.get_by_text("98 of 98 papers").first.wait_for(timeout=240_000)
            browser.close()
        assert len(list(home.rglob("papers.duckdb"))) == 1  # where the CLI looks, too
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"papertrends serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
