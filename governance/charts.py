"""Server-side bar charts (inline SVG, no JavaScript or CDN needed): build the data here,
render with templates/includes/bar_chart.html."""

from decimal import Decimal


def bar_chart(
    title: str, items: list[tuple[str, int | Decimal | float]], *, unit: str = ""
) -> dict:
    """`items` is (label, value); bars are scaled to the largest value."""
    top = max((value for _label, value in items), default=0) or 1
    bar_height, gap = 22, 8
    bars = [
        {
            "label": label,
            "value": value,
            "width": round(float(value) / float(top) * 100, 2) if value else 0,
            "y": i * (bar_height + gap),
        }
        for i, (label, value) in enumerate(items)
    ]
    return {
        "title": title,
        "bars": bars,
        "unit": unit,
        "bar_height": bar_height,
        "height": max(len(bars) * (bar_height + gap), bar_height),
    }
