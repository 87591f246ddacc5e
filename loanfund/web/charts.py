"""Charts drawn on the server as inline SVG: no script, no CDN (government networks are often closed), printable,
and readable without colour (every bar and slice carries its figure). Values are money in fen or plain counts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

TAU = Decimal("6.283185307179586476925286766559")  # a full turn in radians
PALETTE = ("#2f6690", "#3a7d44", "#c2792d", "#8c4f9f", "#b23a48", "#5b7083", "#2a9d8f", "#7a6c5d")


def _wan(fen: int) -> str:
    return f"{Decimal(fen) / 1_000_000:,.2f}"


def bars(title: str, items: Sequence[tuple[str, int]], *, unit: str = "万元", money: bool = True) -> Markup:
    """Horizontal bars, one per item, labelled with the item and its figure."""
    row, left, width, right = 40, 190, 420, 150
    height = row * max(len(items), 1) + 40
    top = max((v for _, v in items), default=0) or 1
    parts = [_head(title, left + width + right, height)]
    for i, (label, value) in enumerate(items):
        y = 28 + i * row
        length = 0 if value <= 0 else max(2, width * value // top)  # whole pixels: no float near money
        figure = _wan(value) if money else f"{value:,}"
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" class="lf-chart-label">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{length}" height="{row - 12}" fill="{PALETTE[0]}"/>'
            f'<text x="{left + length + 6}" y="{y + 18}" class="lf-chart-figure">{figure} {escape(unit)}</text>'
        )
    if not items:
        parts.append(f'<text x="{left}" y="44" class="lf-chart-label">本期无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, unit: str = "万元"
) -> Markup:
    """Lines over the days of a period, money in 万元 on the y axis, a legend under the title."""
    left, top, width, height = 78, 48, 640, 220
    total_width, total_height = left + width + 24, top + height + 40
    values = [v for _, vs in series for v in vs]
    high = max(max(values, default=0), 0)
    step = _nice_step(-(-high // 4) if high > 0 else 1)  # fen per grid line: 1, 2 or 5 × a power of ten
    ticks = max(1, -(-high // step)) if high > 0 else 4
    ceiling = step * ticks
    parts = [_head(title, total_width, total_height)]

    def y_of(value: int) -> int:
        return top + height - height * max(value, 0) // ceiling

    for t in range(ticks + 1):
        y = y_of(step * t)
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" class="lf-chart-grid"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" class="lf-chart-axis">{_wan(step * t)}</text>'
        )
    parts.append(f'<text x="{left - 6}" y="{top - 10}" text-anchor="end" class="lf-chart-axis">{escape(unit)}</text>')
    count = max(len(labels), 1)

    def x_of(index: int) -> int:
        return left + width * index // max(count - 1, 1)

    for i, label in enumerate(labels):
        if count <= 12 or i % 5 == 0 or i == count - 1:
            parts.append(
                f'<text x="{x_of(i)}" y="{top + height + 18}" text-anchor="middle" class="lf-chart-axis">'
                f"{escape(label)}</text>"
            )
    for n, (name, vs) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x_of(i)},{y_of(v)}" for i, v in enumerate(vs))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        legend_x = left + n * 170
        parts.append(
            f'<rect x="{legend_x}" y="26" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="32" class="lf-chart-label">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def pie(title: str, items: Sequence[tuple[str, int]], *, unit: str = "万元", money: bool = True) -> Markup:
    """Shares of a whole; each slice is named in the legend with its figure and share. Shares are exact decimals;
    only the points on the circle are trigonometry."""
    size, r = 300, 100
    cx, cy = 130, 150
    total = sum(v for _, v in items if v > 0)
    parts = [_head(title, size + 200, size)]
    if not total:
        parts.append('<text x="40" y="150" class="lf-chart-label">本期无数据</text></svg>')
        return Markup("".join(parts))

    def point(fraction: Decimal) -> str:
        angle = TAU * fraction - TAU / 4  # clockwise from twelve o'clock
        return f"{cx + r * math.cos(angle):.2f},{cy + r * math.sin(angle):.2f}"

    shown = [(label, v) for label, v in items if v > 0]
    done = 0
    for n, (label, value) in enumerate(shown):
        colour = PALETTE[n % len(PALETTE)]
        start, end = Decimal(done) / total, Decimal(done + value) / total
        if len(shown) == 1:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
        else:
            large = 1 if 2 * value > total else 0
            parts.append(f'<path d="M{cx},{cy} L{point(start)} A{r},{r} 0 {large} 1 {point(end)} Z" fill="{colour}"/>')
        done += value
        figure = _wan(value) + " " + unit if money else f"{value:,} {unit}"
        share = (Decimal(value * 100) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
        y = 60 + n * 24
        parts.append(
            f'<rect x="260" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="278" y="{y}" class="lf-chart-label">{escape(label)} {escape(figure)}（{share}%）</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _head(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="lf-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _nice_step(raw: int) -> int:
    """1, 2 or 5 times a power of ten, at least ``raw`` (fen)."""
    power: int = 10 ** (len(str(max(raw, 1))) - 1)
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
