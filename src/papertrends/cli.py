"""The ``papertrends`` command: ingest inputs, fetch from Hugging Face, look up GitHub
repositories, print statistics, export filtered papers."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import logging
import os
import sys
import tomllib
from pathlib import Path

import click
import pyarrow as pa
from tqdm import tqdm

from papertrends import __version__
from papertrends.analytics.summary import compute_key_figures, compute_topic_counts
from papertrends.collection import export, schema
from papertrends.collection import github as github_lookup
from papertrends.collection.fetching import DEFAULT_ENDPOINT, ENDPOINT_ENV, DayResult, fetch_days
from papertrends.collection.filters import HAS_CODE_CHOICES, MAX_COUNT, Filters, parse_search
from papertrends.collection.loaded import Collection
from papertrends.collection.pipeline import Update, updating
from papertrends.collection.store import DB_ENV, Store, default_db_path
from papertrends.collection.topics import TOPICS_ENV, default_topics_path, load_taxonomy
from papertrends.common.errors import DamagedFileError, InputError, StoreBusyError
from papertrends.common.resources import package_path
from papertrends.sources import FORMATS, SHIPPED_PAGE, read_path
from papertrends.sources.synth import FIRST_DAY, synthesize

_PROGRESS_MIN_ROWS = 20_000  # below this everything finishes in well under a second

# The defaults are the library's, so the CLI finds what the dashboard finds. The store's is
# asked for when a command runs; the help shows where it is for whoever reads it.
db_option = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), envvar=DB_ENV,
    default=default_db_path, show_envvar=True,
    help=f"The collection's DuckDB file  [default: {default_db_path(create=False)}]")
topics_option = click.option(
    "--topics", "topics_path", type=click.Path(dir_okay=False, path_type=Path), envvar=TOPICS_ENV,
    default=None, show_envvar=True,
    help=f"Topic taxonomy TOML  [default: {default_topics_path()}]")


class _CliError(click.ClickException):
    """One line on stderr, exit status 1: what went wrong and where."""


def _fail_cleanly(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (InputError, StoreBusyError, DamagedFileError) as exc:
            raise _CliError(str(exc)) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="papertrends")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def main(quiet: bool) -> None:
    """Paper Trends: collect AI research papers and see what is rising.

    Papers live in one DuckDB file (--db). `papertrends serve` starts the dashboard, which
    builds a first collection from the shipped Papers page; add to it with `papertrends ingest
    FILE...` or `papertrends fetch --since YYYY-MM-DD`.
    """
    # force: each call (a test's in-process run, too) writes to the stderr of that moment.
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="papertrends: %(message)s", stream=sys.stderr, force=True)


def _progress(label: str, total: int) -> tqdm:
    """A progress bar on stderr, shown only for work big enough to take a few seconds."""
    return tqdm(total=total, unit=" papers", desc=label, file=sys.stderr,
                disable=total < _PROGRESS_MIN_ROWS)


def _open(db: Path, topics_path: Path | None) -> Collection:
    store = Store(db)
    if not store.exists():
        raise _CliError(f"{db}: no collection here yet; run `papertrends ingest PATH` first")
    taxonomy = load_taxonomy(topics_path)
    if Update(store, taxonomy).sync_topics():
        logging.info("the topic taxonomy changed: re-tagged the stored papers")
    return Collection.from_store(store, taxonomy.names)


@main.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Input format; auto looks at the file name and its first lines.")
@click.option("--year", type=click.IntRange(1990, 2100), default=None,
              help="Capture year of a saved page, for dates shown without a year "
                   "[default: the year after the newest year on the page].")
@db_option
@topics_option
@_fail_cleanly
def ingest(paths: tuple[Path, ...], fmt: str, year: int | None, db: Path,
           topics_path: Path | None) -> None:
    """Add saved Papers pages, saved Daily Papers API responses (JSON) or exported CSV files.

    All files are read and checked first and then stored in one transaction: a bad file
    stores nothing. Papers already in the collection get their upvotes and any newly known
    fields updated; the same input ingested twice changes nothing.
    """
    with updating(Store(db), load_taxonomy(topics_path), _progress) as update:
        reports = update.ingest_files(paths, fmt=fmt, year=year)
    click.echo(f"{db}: {sum(r.total for r in reports)} papers read, "
               f"{sum(r.new for r in reports)} new, {sum(r.updated for r in reports)} updated")


@main.command()
@db_option
@topics_option
@_fail_cleanly
def stats(db: Path, topics_path: Path | None) -> None:
    """Print the collection's size, date span, share with code and top topics."""
    collection = _open(db, topics_path)
    figures = compute_key_figures(collection.papers)
    click.echo(f"papers: {figures['papers']}")
    if figures["first_published"] is not None:
        click.echo(f"published: {figures['first_published']} to {figures['last_published']}"
                   f" ({figures['unknown_date']} with unknown date)")
    if figures["median_authors"] is not None:
        click.echo(f"median authors per paper: {figures['median_authors']:g}"
                   f" ({figures['unknown_authors']} with unknown author count)")
    if figures["share_with_code"] is not None:
        click.echo(f"with GitHub code: {figures['with_code']} "
                   f"({figures['share_with_code']:.0%})")
    click.echo(f"upvotes: {figures['total_upvotes']}")
    click.echo("top topics:")
    for row in compute_topic_counts(collection.papers).head(10).itertuples():
        click.echo(f"  {row.topic:<34} {row.papers:>7}  {row.share:>4.0%}")


def _date(ctx, param, value: str | None) -> dt.date | None:
    """A --option given as YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


@main.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced atomically).")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default=None,
              help="csv for people and spreadsheets, parquet for DuckDB, Polars or Spark  "
                   "[default: parquet when --out ends in .parquet, else csv]")
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD",
              help="Only papers published on or after this date.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD",
              help="Only papers published on or before this date.")
@click.option("--topic", "topics", multiple=True,
              help="Only papers with this topic (repeat for any of several).")
@click.option("--search", default="",
              help='Words that must all appear in title or abstract; "quote" a phrase.')
@click.option("--min-upvotes", type=click.IntRange(min=0, max=MAX_COUNT), default=0,
              show_default=True,
              help="Only papers with at least this many upvotes.")
@click.option("--has-code", type=click.Choice(HAS_CODE_CHOICES), default="any",
              show_default=True, help="Only papers that do (yes) or do not (no) link GitHub code.")
@db_option
@topics_option
@_fail_cleanly
def export_command(out: Path, fmt: str | None, date_from: dt.date | None,
                   date_to: dt.date | None, topics: tuple[str, ...], search: str,
                   min_upvotes: int, has_code: str, db: Path, topics_path: Path | None) -> None:
    """Write the papers that pass the filters (the dashboard's filters, same meaning).

    CSV joins lists with '; ' and prefixes with ' the cells a spreadsheet would run as a
    formula. Parquet keeps the schema's types. Either file ingests back into the same
    collection.
    """
    collection = _open(db, topics_path)
    unknown = [t for t in topics if t not in collection.topics]
    if unknown:
        raise _CliError(f"unknown topic {', '.join(map(repr, unknown))}; topics in the "
                        f"collection: {', '.join(collection.topics)}")
    filters = Filters(date_from=date_from, date_to=date_to, topics=topics, search=search,
                      min_upvotes=min_upvotes, has_code=has_code)
    for note in parse_search(search).ignored:  # the dashboard's bounds, said the same way
        click.echo(f"--search: {note}", err=True)
    selected = collection.with_text(filters.mask(collection))
    _check_folder(out)
    if export.format_for(out, fmt) == "parquet":
        export.write_parquet([export.papers_table(selected)], out, filters)
    else:
        export.write_csv(selected, out)
    click.echo(f"{out}: {len(selected)} of {len(collection)} papers ({filters.describe()})")


@main.command()
@click.option("--papers", "n_papers", type=click.IntRange(min=0), required=True,
              help="How many papers to make.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed and size give the same file.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced atomically).")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default=None,
              help="[default: parquet when --out ends in .parquet, else csv]")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD",
              help="Newest publication date  [default: today]")
@_fail_cleanly
def synth(n_papers: int, seed: int, out: Path, fmt: str | None, today: dt.date | None) -> None:
    """Write a synthetic collection recombined from the shipped Papers page, for benchmarks.

    Titles and sentences come from real abstracts; dates, team sizes, upvotes and GitHub
    links follow the shapes of real collections (see papertrends.sources.synth). Ingest the file
    with `papertrends ingest`.
    """
    if today is not None and today < FIRST_DAY:
        raise click.BadParameter(f"must be {FIRST_DAY} or later", param_hint="--today")
    _check_folder(out)
    _, base = read_path(SHIPPED_PAGE)
    chunks = synthesize(n_papers, schema.to_frame(base), seed=seed, today=today)
    with _progress("making papers", n_papers) as bar:
        chunks = _counted(chunks, bar)
        if export.format_for(out, fmt) == "parquet":
            export.write_parquet(chunks, out)
        else:
            export.write_csv(schema.to_frame(pa.concat_tables(
                list(chunks), promote_options="none")) if n_papers else schema.empty_frame(), out)
    click.echo(f"{out}: {n_papers:,} synthetic papers (seed {seed})")


def _check_folder(out: Path) -> None:
    if not out.parent.is_dir():
        raise _CliError(f"{out}: the folder {out.parent} does not exist")


def _counted(tables, bar: tqdm):
    for table in tables:
        yield table
        bar.update(table.num_rows)


@main.command()
@click.option("--since", callback=_date, metavar="YYYY-MM-DD", required=True,
              help="First Daily Papers date to fetch.")
@click.option("--until", callback=_date, metavar="YYYY-MM-DD",
              help="Last date to fetch  [default: today]")
@click.option("--endpoint", envvar=ENDPOINT_ENV, default=DEFAULT_ENDPOINT, show_default=True,
              show_envvar=True, help="The Hugging Face server (a mirror, or a test server).")
@click.option("--refresh", is_flag=True,
              help="Fetch again days that were already fetched completely.")
@db_option
@topics_option
@_fail_cleanly
def fetch(since: dt.date, until: dt.date | None, endpoint: str, refresh: bool, db: Path,
          topics_path: Path | None) -> None:
    """Fetch Hugging Face Daily Papers for each day from --since to --until.

    Each day is one request to ENDPOINT/api/daily_papers?date=YYYY-MM-DD, stored in its own
    transaction as soon as it arrives, with a snapshot of every paper's upvotes. Days fetched
    after they ended are complete and skipped on later runs (today is always fetched again).
    Connection errors, timeouts, 429 and 5xx are retried with exponential backoff, obeying
    Retry-After. When days fail the others are kept, the failed days are named and the exit
    status is 1: run the same command again to finish the job.
    """
    until = until or dt.date.today()
    if since > until:
        raise click.BadParameter(f"{since} is after --until {until}", param_hint="--since")
    taxonomy = load_taxonomy(topics_path)
    days = (until - since).days + 1
    found = 0
    with tqdm(total=days, unit=" days", desc="fetching", file=sys.stderr) as bar:
        def advance(result: DayResult) -> None:
            nonlocal found
            found += result.papers
            bar.set_postfix(papers=found, refresh=False)
            bar.update()
            if result.status == "failed":
                logging.warning("%s failed: %s", result.day, result.error)

        store = Store(db)
        report = fetch_days(store, since, until, endpoint=endpoint, refresh=refresh,
                            taxonomy=taxonomy, progress=advance)
    click.echo(f"{db}: {report}")
    if not report.ok:
        raise _CliError(f"{len(report.failed)} of {days} days failed: {report.failures()}. "
                        "The other days are stored; run the same command again to fetch the "
                        "failed ones")


@main.command("enrich-github")
@click.option("--api-url", envvar=github_lookup.API_ENV, default=github_lookup.DEFAULT_API,
              show_default=True, show_envvar=True, help="The GitHub REST API base URL.")
@click.option("--max-age", type=click.IntRange(min=0), default=7, show_default=True,
              help="Look a repository up again when its cached facts are older than this many "
                   "days; 0 looks up every repository again.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Look up at most this many repositories (the most linked first).")
@db_option
@_fail_cleanly
def enrich_github(api_url: str, max_age: int, limit: int | None, db: Path) -> None:
    """Look up the papers' GitHub repositories: stars, forks, language, last push, archived.

    The answers are cached in the collection with the time they were fetched; fresh ones are
    not asked for again. Set GITHUB_TOKEN for 5,000 requests an hour instead of 60. When the
    rate limit (X-RateLimit-Remaining) is reached the command stops, keeps what it found, says
    when the limit resets (X-RateLimit-Reset) and exits with status 1; run it again then.
    """
    store = Store(db)
    if not store.exists():
        raise _CliError(f"{db}: no collection here yet; run `papertrends ingest PATH` first")
    with tqdm(unit=" repos", desc="looking up", file=sys.stderr) as bar:
        report = github_lookup.enrich_github(
            store, api_url=api_url, max_age=dt.timedelta(days=max_age), limit=limit,
            progress=lambda repo: bar.update())
    click.echo(f"{db}: {report}")
    for repo, why in report.failed:
        logging.warning("%s failed: %s", repo, why)
    if report.stopped:
        raise _CliError(f"stopped with {report.left} repositories left: {report.stopped}")
    if report.failed:
        raise _CliError(f"{len(report.failed)} lookups failed: "
                        + "; ".join(f"{repo} ({why})" for repo, why in report.failed))


def _streamlit_settings() -> list[str]:
    """The dashboard's Streamlit settings as ``streamlit run`` flags: every option of the
    packaged ``app/streamlit_config.toml``, which a checkout's ``streamlit run app.py`` reads
    as ``.streamlit/config.toml``. An installed package runs from any folder, where no
    config file is read, so ``serve`` passes them (the upload limit among them) itself."""
    with package_path("app", "streamlit_config.toml").open("rb") as file:
        config = tomllib.load(file)
    flags = ["--server.headless", "true"]  # serve prints the address; no browser to open
    for section, options in config.items():
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.extend([f"--{section}.{name}", text])
    return flags


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. 127.0.0.1 serves this machine only; another "
                   "address, such as 0.0.0.0 (every network interface), lets anyone on the "
                   "network open the dashboard and change the collection from its Data page.")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True,
              help="The port to listen on.")
@db_option
@topics_option
def serve(host: str, port: int, db: Path, topics_path: Path | None) -> None:
    """Start the dashboard on http://HOST:PORT (Streamlit); Ctrl+C stops it.

    It shows the collection in --db and builds it from the shipped Papers page when the file
    does not exist yet. Its Data page adds files and fetches days into that collection.
    """
    _check_folder(db)
    env = {**os.environ, DB_ENV: str(db.absolute())}
    if topics_path is not None:
        env[TOPICS_ENV] = str(topics_path.absolute())
    if not _is_loopback(host):
        logging.warning("listening on %s: anyone who can reach this machine can change the "
                        "collection from the Data page", host)
    script = package_path("app", "streamlit_app.py")
    # Streamlit takes this process over: Ctrl+C and a kill reach the server itself.
    os.execve(sys.executable, [sys.executable, "-m", "streamlit", "run", str(script),
                               "--server.address", host, "--server.port", str(port),
                               *_streamlit_settings()], env)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False


if __name__ == "__main__":
    main()
