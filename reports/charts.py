"""Drawing a chart as SVG on the server: the geometry here, the markup in templates/reports/_chart.html.

No script draws anything in the browser, so the charts need nothing from the Content Security Policy
and load nothing from elsewhere. Stacked bars put positive values above the zero line and negative
ones (a month of credit notes) below it; lines break where a period has no value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.figures import Chart

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 34
MAX_X_LABELS = 13


def period_label(day: date, kind: str, *, short: bool = False) -> str:
    """Name a week by its Monday (30.12.2024) and a month by its number and year (12/2024)."""
    if kind == "week":
        return f"{day.day}.{day.month}." if short else f"{day.day}.{day.month}.{day.year}"
    return f"{day.month}/{day.year % 100:02d}" if short else f"{day.month}/{day.year}"


def format_value(value, decimals: int) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def nice_step(span: float, intervals: int = 4) -> float:
    """Return a round step (1, 2, 2.5 or 5 times a power of ten) that splits ``span`` into about ``intervals``."""
    raw = max(span, 1e-9) / intervals
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


@dataclass
class Drawing:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    points: list = field(default_factory=list)
    grid: list = field(default_factory=list)
    x_labels: list = field(default_factory=list)
    zero_y: float = 0
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    is_empty: bool = True


def draw(chart: Chart) -> Drawing:
    """Return the shapes of ``chart``: bars (or lines and points), grid lines with labels, period labels."""
    count = len(chart.periods)
    drawing = Drawing()
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)

    if chart.kind == "lines":
        values = [float(v) for s in chart.series for v in s.values if v is not None]
        low, high = chart.y_range or (min(values, default=0), max(values, default=1))
    else:
        positive = [sum(float(s.values[i]) for s in chart.series if s.values[i] > 0) for i in range(count)]
        negative = [sum(float(s.values[i]) for s in chart.series if s.values[i] < 0) for i in range(count)]
        values = positive + negative
        low, high = min(negative, default=0), max(positive, default=0)
    drawing.is_empty = not any(values)

    if chart.y_range:
        # A fixed scale (scores 1–5) keeps its ends, with a grid line at each whole step.
        grid_step = nice_step(high - low, intervals=5)
    else:
        grid_step = nice_step((high - low) or 1)
        low = math.floor(low / grid_step) * grid_step
        high = max(math.ceil(high / grid_step) * grid_step, low + grid_step)

    def y_of(value: float) -> float:
        return round(TOP + plot_height * (high - value) / (high - low), 1)

    tick = low
    while tick <= high + grid_step / 1000:
        drawing.grid.append({"y": y_of(tick), "label": format_value(tick, 0 if grid_step >= 1 else 1)})
        tick += grid_step
    drawing.zero_y = y_of(max(low, 0))

    every = math.ceil(count / MAX_X_LABELS) if count else 1
    for index, period in enumerate(chart.periods):
        if (count - 1 - index) % every == 0:  # the newest period always has its label
            label = period_label(period, chart.period_kind, short=True)
            drawing.x_labels.append({"x": round(LEFT + step * (index + 0.5), 1), "label": label})

    if chart.kind == "lines":
        for series in chart.series:
            run = []
            for index, value in enumerate(series.values):
                if value is None:
                    if run:
                        drawing.lines.append({"colour": series.colour, "points": " ".join(run)})
                    run = []
                    continue
                x, y = round(LEFT + step * (index + 0.5), 1), y_of(float(value))
                run.append(f"{x},{y}")
                drawing.points.append(
                    {
                        "x": x,
                        "y": y,
                        "colour": series.colour,
                        "title": _tooltip(chart, series.label, index, value),
                    }
                )
            if run:
                drawing.lines.append({"colour": series.colour, "points": " ".join(run)})
        return drawing

    bar_width = round(step * 0.72, 1)
    for index in range(count):
        x = round(LEFT + step * index + (step - bar_width) / 2, 1)
        above, below = 0.0, 0.0
        for series in chart.series:
            value = float(series.values[index])
            if value == 0:
                continue
            if value > 0:
                top, bottom = y_of(above + value), y_of(above)
                above += value
            else:
                top, bottom = y_of(below), y_of(below + value)
                below += value
            drawing.bars.append(
                {
                    "x": x,
                    "y": top,
                    "width": bar_width,
                    "height": round(max(bottom - top, 0.5), 1),
                    "colour": series.colour,
                    "title": _tooltip(chart, series.label, index, series.values[index]),
                }
            )
    return drawing


def _tooltip(chart: Chart, label: str, index: int, value) -> str:
    period = period_label(chart.periods[index], chart.period_kind)
    if chart.period_kind == "week":
        period = _("week of %(monday)s") % {"monday": period}
    return f"{period}: {label} {format_value(value, chart.decimals)}"


def chart_table(chart: Chart, *, for_file: bool = False) -> tuple[list[str], list[list]]:
    """Return a chart's numbers as a table: a row per period, a column per series (and the total).

    For a file the period is an ISO date and the numbers stay numbers; for the page both are formatted.
    """
    headers = [_("week starting") if chart.period_kind == "week" else _("month")]
    for series in chart.series:
        headers.append(str(series.label))
        if series.counts is not None:
            headers.append(_("%(series)s: answers") % {"series": series.label})
    stacked = chart.kind == "stacked"
    if stacked:
        headers.append(_("total"))
    totals = chart.totals() if stacked else []
    rows = []
    for index, period in enumerate(chart.periods):
        row = [period.isoformat() if for_file else period_label(period, chart.period_kind)]
        for series in chart.series:
            value = series.values[index]
            row.append(("" if value is None else value) if for_file else format_value(value, chart.decimals))
            if series.counts is not None:
                row.append(series.counts[index])
        if stacked:
            row.append(totals[index] if for_file else format_value(totals[index], chart.decimals))
        rows.append(row)
    return headers, rows


def svg(chart: Chart, drawing: Drawing) -> str:
    """Return the chart as inline SVG markup (built here, not in a template loop: a year of bars is fast)."""
    slug = chart.slug
    parts = [
        format_html(
            '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-{}-title chart-{}-desc"'
            ' data-testid="chart-{}"><desc id="chart-{}-desc">{}</desc>',
            drawing.width,
            drawing.height,
            slug,
            slug,
            slug,
            slug,
            _("The same numbers are in the table under the chart."),
        ),
        '<g class="chart-grid">',
        format_html_join(
            "",
            '<line x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="chart-y-label" x="{}" y="{}" dx="-6" dy="4">{}</text>',
            (
                (drawing.plot_left, drawing.plot_right, g["y"], g["y"], drawing.plot_left, g["y"], g["label"])
                for g in drawing.grid
            ),
        ),
        '</g><g class="chart-bars">',
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
            ((b["x"], b["y"], b["width"], b["height"], b["colour"], b["title"]) for b in drawing.bars),
        ),
        '</g><g class="chart-lines">',
        format_html_join(
            "",
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"></polyline>',
            ((line["points"], line["colour"]) for line in drawing.lines),
        ),
        format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle>',
            ((p["x"], p["y"], p["colour"], p["title"]) for p in drawing.points),
        ),
        "</g>",
        format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"></line>',
            drawing.plot_left,
            drawing.plot_right,
            drawing.zero_y,
            drawing.zero_y,
        ),
        '<g class="chart-x-labels">',
        format_html_join(
            "",
            '<text x="{}" y="{}" dy="18">{}</text>',
            ((label["x"], drawing.plot_bottom, label["label"]) for label in drawing.x_labels),
        ),
        "</g></svg>",
    ]
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every value went through format_html
