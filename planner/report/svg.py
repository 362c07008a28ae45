"""Figures as inline SVG for a self-contained page.

Each plot is drawn on a matplotlib ``Figure`` (no pyplot, so no window and no figure
registry) with the report's style, laid out by hand in inches, and turned into an ``<svg>``
without prologue or metadata whose ids cannot clash with another plot's on the same page.
Also the escaping and number formats the page and its captions share.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

FIGURE_WIDTH = 4.6
"""Inches; the page scales each plot to its column."""


FONT_SIZE = 8.5


TITLE = 0.32


X_AXIS = 0.5


LEGEND_ROW = 0.17
"""Room (inches) for a title, an x axis with its label, and one row of a legend."""


PLOT_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.size": FONT_SIZE,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "axes.titlesize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
}
"""matplotlib settings for every plot: text stays text (small files, searchable pages)."""


MISSING = "\u2013"
"""Shown where a figure is missing (an en dash)."""


def escape(value: object) -> str:
    """Text for HTML, escaped (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def number_text(value: float | None, decimals: int | None = None) -> str:
    """``1,234`` or ``1,234.5``: thousands separated, decimals only where there are any."""
    if value is None or math.isnan(value):
        return MISSING
    if decimals is None:
        decimals = 0 if abs(value - round(value)) < 1e-6 else 1
    return f"{value:,.{decimals}f}"


def plot_text(value: object) -> str:
    """Text for a matplotlib label: no mathtext, and never hidden as a ``_private`` label."""
    text = str(value).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def thousands_axis(ax: Axes, axis: str = "y") -> None:
    """Tick labels of ``axis`` with thousands separators, decimals only where needed."""
    formatter = FuncFormatter(lambda value, _position: f"{value:,.0f}"
                              if abs(value - round(value)) < 1e-9 else f"{value:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)


_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


_DEFAULT_STYLE = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", re.S)


_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')


_TAG = re.compile(r"<[^<>]+>")


_ID = re.compile(r'\sid="([^"]*)"')


_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


def _own_ids(text: str, prefix: str) -> str:
    """Drop the ids nothing refers to; prefix the rest, so many plots share one page.

    Only tags are rewritten: text content never holds a raw ``<`` or ``>`` (matplotlib
    escapes them), so a label that happens to read ``id="x"`` stays as it is.
    """
    referenced = {match.group(2) for tag in _TAG.findall(text)
                  for match in _REFERENCE.finditer(tag)}

    def rename(match: re.Match[str]) -> str:
        return f' id="{prefix}-{match.group(1)}"' if match.group(1) in referenced else ""

    def retag(tag: re.Match[str]) -> str:
        inside = _ID.sub(rename, tag.group(0))
        return _REFERENCE.sub(lambda match: f"{match.group(1)}{prefix}-{match.group(2)}",
                              inside)

    return _TAG.sub(retag, text)


def _svg(figure: Figure, ident: str, description: str) -> str:
    """The figure as an inline ``<svg>``: no XML prologue or metadata, scaled by the page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = _PROLOGUE.sub("", text, count=1)
    text = _METADATA.sub("", text, count=1)
    text = _DEFAULT_STYLE.sub("", text, count=1)
    for _ in range(2):
        text = _ROOT_SIZE.sub(r"\1", text, count=1)
    text = _own_ids(text, ident)
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(description)}" ', 1)


@dataclass(frozen=True)
class Plot:
    """One plot of the report, ready for the page."""

    kind: str
    """The plot's class: ``coverage-heatmap``, ``deployments-by-contributor``, ..."""
    ident: str
    svg: str
    caption: str
    extra_class: str = ""

    def html(self) -> str:
        """The plot as a ``<figure>``."""
        classes = " ".join(part for part in ("plot", self.kind, self.extra_class) if part)
        return (f'<figure class="{classes}" id="{escape(self.ident)}">{self.svg}'
                f"<figcaption>{escape(self.caption)}</figcaption></figure>")


def draw(kind: str, ident: str, caption: str, description: str, height: float,
         paint: Callable[[Figure], None], *, width: float = FIGURE_WIDTH,
         extra_class: str = "") -> Plot:
    """Draw one figure with the report's style and turn it into a plot.

    The figure is laid out by hand (see ``axes_inches``): a layout engine would redo the text
    layout several times per figure, which costs more than all the drawing.
    """
    settings: dict[Any, Any] = dict(PLOT_STYLE)
    settings["svg.hashsalt"] = ident
    with mpl.rc_context(settings):
        figure = Figure(figsize=(width, height))
        try:
            paint(figure)
            svg = _svg(figure, ident, description)
        finally:
            figure.clear()
    return Plot(kind, ident, svg, caption, extra_class)


def text_inches(texts: Iterable[object], size: float = FONT_SIZE) -> float:
    """About how wide the widest of ``texts`` is, in inches."""
    return max((len(str(text)) for text in texts), default=0) * size * 0.6 / 72


def axes_inches(figure: Figure, *, left: float, bottom: float = X_AXIS, top: float = TITLE,
                right: float = 0.15) -> Axes:
    """An axes with margins given in inches."""
    width, height = figure.get_size_inches()
    return figure.add_axes((left / width, bottom / height, 1 - (left + right) / width,
                            1 - (bottom + top) / height))


def colour_axes(figure: Figure, ax: Axes) -> Axes:
    """A slim axes for a colour bar, right of ``ax``."""
    width, _ = figure.get_size_inches()
    box = ax.get_position()
    return figure.add_axes((box.x1 + 0.1 / width, box.y0, 0.12 / width, box.height))


def placeholder(text: str, kind: str = "") -> str:
    """A box saying why a plot is not shown (nothing to draw)."""
    classes = " ".join(part for part in ("placeholder", kind) if part)
    return f'<div class="{classes}">{escape(text)}</div>'
