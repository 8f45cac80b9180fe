"""The server-side bar charts (governance.charts + templates/includes/bar_chart.html): names from
the records come out escaped, long names shortened, each bar as long as its share of the largest
value."""

import re
from decimal import Decimal

from django.template.loader import render_to_string

from governance.charts import BAR_SPACE, bar_chart


def _svg(chart) -> str:
    return render_to_string("includes/bar_chart.html", {"chart": chart})


def test_a_name_from_the_records_is_escaped_in_the_svg():
    svg = _svg(bar_chart("t", [('<script>alert("x")</script>', 3), ("A&B", 1)]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "A&amp;B" in svg


def test_bars_are_scaled_to_the_largest_value_and_long_names_shortened():
    chart = bar_chart(
        "覆盖率",
        [("一镇", Decimal("50.00")), ("二镇很长很长很长很长很长很长的名字", Decimal("25.00"))],
        unit="%",
    )
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', _svg(chart))]
    assert widths == [BAR_SPACE, BAR_SPACE // 2]
    assert [bar["label"] for bar in chart["bars"]] == ["一镇", "二镇很长很长很长很长很长很长的…"]
    assert [bar["text"] for bar in chart["bars"]] == ["50.00%", "25.00%"]


def test_an_all_zero_chart_draws_empty_bars():
    svg = _svg(bar_chart("t", [("一镇", 0), ("二镇", 0)]))
    assert re.findall(r'<rect [^>]*width="(\d+)"', svg) == ["0", "0"]
