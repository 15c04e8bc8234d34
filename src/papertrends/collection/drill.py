"""A drill-down: the marks a user selected on one chart, as the filters that keep the papers
behind them. It lives in the URL beside the shared filters (``sel=trends.topics`` and the
narrowing's own filters as ``sel_from=...&sel_topic=...``), so a shared link opens the same
list of papers; "Filter by this" turns it into the shared filters.

Charts say what each of their marks stands for (``charts.drill_meta``): filter parameters in
a trace's ``meta``, for the whole trace, per point, or per row and column of a heat map.
Reading a selection back needs only those and the selected points' indices, never the axis
values as the browser formats them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection

CHART_KEY = "sel"
PREFIX = "sel_"
MAX_POINTS = 500  # marks read from one selection: a box over a dense chart selects thousands


@dataclass(frozen=True)
class Drill:
    """The chart a selection was made on (``page.chart``) and the papers it stands for."""

    chart: str
    narrowing: Filters

    @property
    def page(self) -> str:
        return self.chart.partition(".")[0]

    def to_params(self) -> dict[str, str | list[str]]:
        return {CHART_KEY: self.chart, **self.narrowing.to_params(PREFIX)}

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]]) -> Drill | None:
        """The drill-down a link holds, or None (none, or one that narrows nothing)."""
        chart = params.get(CHART_KEY)
        chart = chart if isinstance(chart, str) else (chart[-1] if chart else None)
        narrowing = Filters.from_params(params, PREFIX)
        if not chart or not narrowing.is_narrowed:
            return None
        return cls(chart.strip(), narrowing)

    def listed(self, filters: Filters, collection: Collection) -> Filters:
        """The shared filters narrowed to the selected marks: the listed papers, and what
        "Filter by this" sets."""
        return filters.narrowed_by(self.narrowing, collection)


def is_drill_param(key: str) -> bool:
    return key == CHART_KEY or key.startswith(PREFIX)


def selected_narrowing(points: Sequence[Mapping], metas: Sequence[object],
                       date_column: str) -> Filters | None:
    """The filters behind the selected ``points`` of a chart whose traces carry ``metas``
    (``figure.data[i].meta``); None when no selected point stands for papers (a total line,
    a trace without drill-down)."""
    parts = []
    for point in points[:MAX_POINTS]:
        params = _point_params(point, metas)
        if params:
            parts.append(Filters.from_params({**params, "dates": date_column}))
    if not parts:
        return None
    narrowing = Filters.covering(parts)
    return narrowing if narrowing.is_narrowed else None


def _point_params(point: Mapping, metas: Sequence[object]) -> dict[str, object]:
    curve = point.get("curve_number")
    if not isinstance(curve, int) or not 0 <= curve < len(metas):
        return {}
    meta = metas[curve]
    if not isinstance(meta, Mapping):
        return {}
    index = point.get("point_index", point.get("point_number"))
    whole = dict(meta.get("drill") or {})
    if "drill_points" in meta:
        own = _at(meta["drill_points"], index)
    elif "drill_rows" in meta:  # a heat map: its point index is [row, column]
        row, column = index if isinstance(index, Sequence) and len(index) == 2 else (-1, -1)
        rows, columns = _at(meta["drill_rows"], row), _at(meta.get("drill_columns", ()), column)
        own = {**rows, **columns} if rows and columns else {}
    else:
        return whole
    return {**whole, **own} if own else {}


def _at(values: Sequence, index: object) -> Mapping:
    if isinstance(index, int) and 0 <= index < len(values) and isinstance(values[index],
                                                                         Mapping):
        return values[index]
    return {}
