"""Charts as SVG markup drawn on the server: the dashboard page and the PDF report embed the same drawings.

Only presentation attributes (fill, font-size, …): the pages' CSP forbids style="" attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
INK = "#212529"
MUTED = "#6c757d"
PRIMARY = "#8b1a1a"
PALETTE = ("#8b1a1a", "#b45309", "#2f6f4f", "#1f4e79")
GRID = "#dee2e6"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT}" font-size="12" fill="{INK}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every text part went through escape())


def _text(x: float, y: float, text: object, *, anchor: str = "start", size: int = 12, fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _label_width(labels, minimum: int, size: int = 12) -> int:
    """Room for the longest label and its gap (CJK glyphs are a full em, Latin about 0.6 em): English stage names
    such as "Cultivating" are longer than the Chinese ones the charts were first drawn for."""
    longest = max((sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in str(label)) for label in labels), default=0)
    return max(minimum, int(longest) + 12)


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" fill="{fill}"/>'


def funnel_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 460) -> Markup:
    """Centred bars, one per stage, each as wide as its count (a thin sliver for zero)."""
    bar, gap, label_w = 30, 8, _label_width([label for label, _ in rows], 64)
    height = len(rows) * (bar + gap) + 8
    top = max([value for _, value in rows] + [1])
    area = width - label_w - 16
    body = []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * (bar + gap)
        w = max(area * value / top, 2)
        x = label_w + (area - w) / 2
        body.append(_text(label_w - 8, y + bar / 2 + 4, label, anchor="end"))
        body.append(_rect(x, y, w, bar, PALETTE[index % len(PALETTE)]))
        if w > 48:  # the count inside its bar; beside a narrow one, where it does not sit on the sliver
            body.append(_text(label_w + area / 2, y + bar / 2 + 5, f"{value:,}", anchor="middle", size=13,
                              fill="#ffffff", weight="bold"))
        else:
            body.append(_text(x + w + 6, y + bar / 2 + 5, f"{value:,}", size=13, fill=INK, weight="bold"))
    return _svg(width, height, title, body)


def bar_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 460, color: str = PRIMARY) -> Markup:
    """Horizontal bars, largest first as given, the value written after each bar."""
    bar, gap, label_w, value_w = 18, 6, _label_width([label for label, _ in rows], 96), 48
    height = max(len(rows), 1) * (bar + gap) + 8
    top = max([value for _, value in rows] + [1])
    area = width - label_w - value_w
    body = []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * (bar + gap)
        w = area * value / top
        body.append(_text(label_w - 8, y + bar - 4, label, anchor="end"))
        body.append(_rect(label_w, y, w, bar, color))
        body.append(_text(label_w + w + 6, y + bar - 4, f"{value:,}"))
    if not rows:
        body.append(_text(width / 2, 20, "—", anchor="middle", fill=MUTED))
    return _svg(width, height, title, body)


def progress_chart(title: str, *, actual: int, target: int | None, progress: Fraction,
                   projection: int | None, width: int = 460) -> Markup:
    """A bar of the year's certifications against the target, with a mark where the year stands."""
    height, left, right, top, bar = 64, 8, 8, 18, 20
    area = width - left - right
    scale = max(target or 0, actual, projection or 0, 1)
    body = [_rect(left, top, area, bar, GRID)]
    if target:
        body.append(_rect(left, top, area * target / scale, bar, "#f1d5d5"))
    if projection is not None and projection > actual:
        body.append(_rect(left, top + bar / 3, area * projection / scale, bar / 3, "#e0a3a3"))
    body.append(_rect(left, top, area * actual / scale, bar, PRIMARY))
    if target:
        x = left + area * float(progress) * target / scale
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + bar + 6}" stroke="{INK}" '
                    f'stroke-width="2"/>')
        body.append(_text(x, top - 8, _("时间进度 %(share)s", share=f"{float(progress):.0%}"), anchor="middle",
                          size=10, fill=MUTED))
    target_text = _("目标 %(n)s", n=target) if target else _("未设目标")
    projection_text = "" if projection is None else " · " + _("预计年末 %(n)s", n=projection)
    body.append(_text(left, top + bar + 18, _("已认定 %(n)s", n=actual) + f" / {target_text}{projection_text}", size=11))
    return _svg(width, height, title, body)


def flow_chart(title: str, rows: Sequence[tuple[str, int, int]], *, width: int = 460) -> Markup:
    """Per stage, two bars: entered (dark) and left (light) in the period."""
    bar, gap, label_w, value_w = 12, 10, _label_width([label for label, _, _ in rows], 64), 40
    height = len(rows) * (2 * bar + gap) + 24
    top = max([max(a, b) for _, a, b in rows] + [1])
    area = width - label_w - value_w
    body = []
    for index, (label, entered, left) in enumerate(rows):
        y = 4 + index * (2 * bar + gap)
        body.append(_text(label_w - 8, y + bar + 4, label, anchor="end"))
        for offset, value, color in ((0, entered, PRIMARY), (bar, left, "#c9a0a0")):
            w = area * value / top
            body.append(_rect(label_w, y + offset, w, bar - 1, color))
            body.append(_text(label_w + w + 4, y + offset + bar - 2, f"{value:,}", size=10))
    legend_y = height - 8
    body += [_rect(label_w, legend_y - 9, 10, 10, PRIMARY), _text(label_w + 14, legend_y, _("进入"), size=10),
             _rect(label_w + 56, legend_y - 9, 10, 10, "#c9a0a0"), _text(label_w + 70, legend_y, _("离开"), size=10)]
    return _svg(width, height, title, body)


TREND_SERIES = (("#1f4e79", "circle", ""), ("#2f6f4f", "square", "6 3"), (PRIMARY, "triangle", "2 3"))


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>'
    if shape == "square":
        return _rect(x - 3.5, y - 3.5, 7, 7, color)
    return f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" fill="{color}"/>'


def trend_chart(title: str, months: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                width: int = 640) -> Markup:
    """Lines over the months, one per series (entries, certifications, exits), told apart by colour, marker and dash
    so that they also read in grey; the value of the last month is written at the line's end."""
    height, left, right, top, bottom = 230, 36, 44, 12, 46
    area_w, area_h = width - left - right, height - top - bottom
    peak = max([value for _, values in series for value in values] + [1])
    step = max(1, -(-peak // 4))  # four grid lines with whole numbers
    scale = step * 4
    body = []
    for index in range(5):
        y = top + area_h - area_h * index / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + area_w}" y2="{y:.1f}" stroke="{GRID}" '
                    f'stroke-width="1"/>')
        body.append(_text(left - 6, y + 4, f"{step * index:,}", anchor="end", size=10, fill=MUTED))
    slot = area_w / max(len(months), 1)
    xs = [left + slot * (index + 0.5) for index in range(len(months))]
    for x, label in zip(xs, months, strict=True):
        body.append(_text(x, top + area_h + 16, label, anchor="middle", size=10, fill=MUTED))
    for (_label, values), (color, shape, dash) in zip(series, TREND_SERIES, strict=True):
        points = [(x, top + area_h - area_h * value / scale) for x, value in zip(xs, values, strict=True)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                    f'stroke="{color}" stroke-width="2"{dashes}/>')
        body += [_marker(shape, x, y, color) for x, y in points]
        if points:
            body.append(_text(points[-1][0] + 8, points[-1][1] + 4, f"{values[-1]:,}", size=10, fill=color,
                              weight="bold"))
    x = left
    for (label, _values), (color, shape, _dash) in zip(series, TREND_SERIES, strict=True):
        body += [_marker(shape, x + 5, height - 12, color), _text(x + 14, height - 8, label, size=11)]
        x += 24 + _label_width([label], 0, 11)
    return _svg(width, height, title, body)
