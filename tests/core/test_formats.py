"""One format per language for dates, times, numbers and money, in Python and templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from training_portal.core.formats import (
    format_date,
    format_datetime,
    format_money,
    format_number,
)

MOMENT = timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0), timezone.get_fixed_timezone(480))


@pytest.mark.parametrize(
    ("language", "date", "short_date", "moment", "short_moment"),
    [
        ("en", "5 March 2026", "2026-03-05", "5 March 2026, 10:00", "2026-03-05 10:00"),
        ("zh-hans", "2026年3月5日", "2026-03-05", "2026年3月5日 10:00", "2026-03-05 10:00"),
    ],
)
def test_dates_and_times_have_one_format_per_language(
    language: str, date: str, short_date: str, moment: str, short_moment: str
) -> None:
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert format_date(dt.date(2026, 3, 5)) == date
        assert format_date(MOMENT) == date
        assert format_date(dt.date(2026, 3, 5), short=True) == short_date
        assert format_datetime(MOMENT) == moment
        assert format_datetime(MOMENT, short=True) == short_moment
        rendered = Template('{{ d|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}').render(
            Context({"d": dt.date(2026, 3, 5), "m": MOMENT})
        )
        assert rendered == f"{date}|{moment}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_sentence_ending_with_a_time_has_one_full_stop(language: str) -> None:
    with translation.override(language), timezone.override("Asia/Shanghai"):
        sentence = f"The link expires on {format_datetime(MOMENT)}."
    assert ".." not in sentence
    assert "a.m" not in sentence


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_is_a_decimal_with_cents_and_thousands_in_both_languages(language: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("1234567.005")) == "¥1,234,567.01"
        assert format_money(Decimal("-3")) == "-¥3.00"
        assert format_money(12) == "¥12.00"
        assert format_money(None) == ""
        assert format_number(12345) == "12,345"
        assert format_number(Decimal("2.5"), decimal_places=2) == "2.50"
    with pytest.raises(TypeError):
        format_money(12.5)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_template_filters_use_the_same_formats(language: str) -> None:
    template = Template(
        "{% load formats %}{{ a|money }}|{{ a|amount }}|{{ n|number }}|{{ d|day }}|"
        '{{ d|day:"short" }}|{{ m|moment:"short" }}'
    )
    with translation.override(language), timezone.override("Asia/Shanghai"):
        rendered = template.render(
            Context({"a": Decimal("2500"), "n": 1000000, "d": dt.date(2026, 3, 5), "m": MOMENT})
        )
        expected_day = format_date(dt.date(2026, 3, 5))
    assert rendered == (f"¥2,500.00|2,500.00|1,000,000|{expected_day}|2026-03-05|2026-03-05 10:00")


@pytest.mark.parametrize(("language", "day"), [("en", "5 March 2026"), ("zh-hans", "2026年3月5日")])
def test_report_cells_show_numbers_grouped_and_dates_in_the_language(
    language: str, day: str
) -> None:
    template = Template("{% load formats %}{% for v in row %}[{{ v|cell }}]{% endfor %}")
    row = [Decimal("12345.50"), 2500, dt.date(2026, 3, 5), "text", None]
    with translation.override(language):
        rendered = template.render(Context({"row": row}))
    assert rendered == f"[12,345.50][2,500][{day}][text][None]"
