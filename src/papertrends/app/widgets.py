"""Small pieces pages share: text shown literally, counts with separators, paper table
columns, messages that survive a rerun.

Text that came from a link, a file or a paper (titles, names, search words, file names, error
details) is never handed to Streamlit as Markdown: st.markdown, captions, alerts, headings,
labels and ``help=`` tooltips all render GitHub-flavoured Markdown, where a value can become
a link (``[Sign in](https://...)``, and a bare ``https://...``, ``www.`` or e-mail address,
which no backslash escape stops: the autolink is found in the text after escapes are undone),
an outside image that the visitor's browser loads, math, an icon (``:material/...:``, which
Streamlit rewrites before parsing), an emoji, coloured text or a heading. Pages show such
values with ``st.text``, in a table cell, or, where the value belongs inside a message box,
in a code span or block (``literal``), which Markdown shows character for character.
"""

from __future__ import annotations

import re

import streamlit as st

from papertrends.analytics.periods import UnfinishedPeriod

_BACKTICKS = re.compile(r"`+")


def literal(text: str) -> str:
    """Markdown that shows ``text`` as written, in a code span (a code block when it has
    several lines): for a value inside an alert, whose body is always Markdown.

    Inside code nothing is interpreted: no link or autolink, image, HTML, emphasis, math,
    directive or emoji. The fence is one backtick longer than any run in ``text``, so the value
    cannot close it, and spaces pad it, so a value starting or ending with a backtick stays
    whole. (Streamlit rewrites ``:material/`` to ``:material_`` in the source it is given,
    even in code: a value holding it shows the underscore, never an icon.)
    """
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    if "\n" in text or "\r" in text:
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}\n{text}\n{fence}\n"
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def plural(count: int, noun: str) -> str:
    """'1 paper', '2,000 papers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def count_column(label: str, **options) -> st.column_config.NumberColumn:
    """A table column of counts, shown with thousands separators: at a million papers they
    run to six and seven digits."""
    return st.column_config.NumberColumn(label, format="localized", **options)


# How paper tables (analytics.table.compute_paper_table) are shown, on every page alike.
PAPER_COLUMNS = {
    "title": st.column_config.TextColumn("Title", width="large"),
    "published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
    "featured": st.column_config.DateColumn("Featured", format="YYYY-MM-DD",
                                            help="The day Daily Papers featured it"),
    "upvotes": count_column("Upvotes"),
    "n_authors": count_column("Authors"),
    "topics": st.column_config.TextColumn("Topics"),
    "github": st.column_config.LinkColumn("GitHub", display_text=r"github\.com/(.*)"),
    "project_page": st.column_config.LinkColumn("Project page", display_text="open"),
    "hugging_face": st.column_config.LinkColumn("Hugging Face", display_text="paper page"),
    "arxiv": st.column_config.LinkColumn("arXiv", display_text="abstract"),
    "abstract": st.column_config.TextColumn("Abstract", width="large"),
}


PAGE_ROWS = 50  # paper rows sent to the browser at once


def table_page(total: int, key: str, resets_on: object, size: int = PAGE_ROWS) -> int:
    """The first row of the page of a paper table the user is on, with the box to pick it
    and the rows it shows: a table sends one page, not thousands of rows, so it costs the
    same at any size. Back on page 1 when ``resets_on`` (the filters, the order) changes."""
    pages = max(1, -(-total // size))
    state = st.session_state
    if state.get(f"{key}_resets_on") != resets_on or state.get(key, 1) > pages:
        state[key] = 1
    state[f"{key}_resets_on"] = resets_on
    if pages > 1:
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        number = right.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages,
                                    step=1, key=key)
    else:
        left, number = st.container(), 1
    first = (int(number) - 1) * size
    left.caption(f"Papers {first + 1:,}-{min(first + size, total):,} of {total:,} in this "
                 "order" if pages > 1 else plural(total, "paper"))
    return first


def flash(message: str, kind: str = "success") -> None:
    """A message for the next rerun: what an action did, shown after the page reloads.
    ``message`` is Markdown: a file name or an error in it goes through ``literal``."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("_flash", (None, None))
    if message:
        (st.warning if kind == "warning" else st.success)(message)


def unfinished_note(unfinished: UnfinishedPeriod | None, period: str) -> str | None:
    """What a chart over periods says under it of the period not over yet."""
    if unfinished is None:
        return None
    return (f"The last {period} (from {unfinished.start:%Y-%m-%d}) is not over: "
            f"{unfinished.covered} of {unfinished.length} days so far, drawn lighter and "
            "hatched. Its count is not a drop.")


def note_ignored(where, message: str, values: list[str]) -> None:
    """A warning in our own words (``message``, Markdown) and, below it, what was ignored as
    the user gave it: ``st.text``, which shows a link, a formula or markup as typed."""
    where.warning(message)
    where.text("\n".join(values))


def note_left_out(count: int, why: str) -> None:
    """Say how many rows a chart could not show, and why."""
    if count:
        st.caption(f"{count:,} papers left out: {why}.")
