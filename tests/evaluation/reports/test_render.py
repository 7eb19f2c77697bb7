"""The files of a report: CSV (BOM, formulas neutralised), XLSX, PDF with its charts, and the
SVG charts themselves."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils import timezone, translation
from pypdf import PdfReader

from evaluation.reports import builders, render
from programs import models as m
from training_portal.core import charts

from .conftest import YEAR, World

DANGEROUS = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rReturn"]


def annual_with_dangerous_titles(world: World) -> builders.ReportData:
    for title in DANGEROUS:
        m.Project.objects.create(
            program=world.cast.program,
            title=title,
            kind=m.Project.Kind.RESEARCH,
            size=m.Project.Size.MEDIUM,
            lead_organization=world.cast.hospital,
        )
    world.cast.hospital.name = "=cmd|' /C calc'!A0"
    world.cast.hospital.save()
    return builders.program_annual(world.cast.program, YEAR)


def test_csv_has_a_bom_and_neutralises_formulas(world: World) -> None:
    data = annual_with_dangerous_titles(world)
    content = render.render_csv(data)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
    assert not any(cell.startswith("-") and not _is_number(cell) for cell in cells)
    assert ["'=cmd|' /C calc'!A0" in row for row in rows].count(True) >= 2  # ranking, points


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def test_csv_keeps_negative_numbers(world: World) -> None:
    section = builders.Section(key="x", title="X", columns=["A", "B"], rows=[["-note", -2]])
    data = builders.ReportData("k", "T", "S", "", {}, [section])
    rows = list(csv.reader(io.StringIO(render.render_csv(data).decode("utf-8-sig"))))
    assert ["'-note", "-2"] in rows


def test_xlsx_opens_and_holds_the_data(world: World) -> None:
    data = annual_with_dangerous_titles(world)
    content = render.render_xlsx(data, inputs_as_of=timezone.now(), content_hash="ab" * 32)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 1 + len(data.sections)
    ranking = book[book.sheetnames[1 + [s.key for s in data.sections].index("partner_ranking")]]
    values = [[cell.value for cell in row] for row in ranking.iter_rows()]
    assert values[0][1] == "Organisation"
    assert values[1][1] == "'=cmd|' /C calc'!A0"
    assert values[1][3] == 70.0
    cases = book[book.sheetnames[1 + [s.key for s in data.sections].index("case_totals")]]
    assert [cell.value for cell in cases[2]] == ["CT", 1, 3]
    assert book[book.sheetnames[0]]["B5"].value == "ab" * 32 or any(
        cell.value == "ab" * 32 for row in book[book.sheetnames[0]].iter_rows() for cell in row
    )


def pdf_fonts_and_text(pdf: bytes) -> tuple[set[str], str]:
    """The fonts a PDF embeds (its pages' and their drawings') and its text."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts: set[str] = set()

    def walk(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
        for kind in ("/XObject", "/Pattern"):
            for drawing in (resources.get(kind) or {}).values():
                walk(drawing.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return fonts, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_a_pdf_with_the_charts(world: World) -> None:
    data = builders.program_annual(world.cast.program, YEAR)
    html = render.report_html(data, inputs_as_of=timezone.now(), content_hash=data.content_hash())
    assert html.count("<svg") >= 6
    assert data.content_hash() in html
    pdf = render.render_pdf(html)
    assert pdf.startswith(b"%PDF")
    fonts, text = pdf_fonts_and_text(pdf)
    assert "Annual report" in text and data.content_hash() in text.replace("\n", "")
    # The charts are drawn, with their labels: the month axis of the on-time rate chart.
    assert all(month in text for month in ("Jan", "Jun", "Dec"))
    assert any("DejaVu-Sans" in font for font in fonts), fonts


def test_pdf_in_chinese(world: World) -> None:
    """Chinese renders: the text is in the PDF, in the embedded CJK font."""
    with translation.override("zh-hans"):
        data = builders.program_annual(world.cast.program, YEAR)
        html = render.report_html(data, content_hash=data.content_hash())
        pdf = render.render_pdf(html)
        record = builders.student_record(world.cast.student)
        record_pdf = render.render_pdf(render.report_html(record))
    assert 'lang="zh-hans"' in html
    fonts, text = pdf_fonts_and_text(pdf)
    assert any("Noto-Sans-CJK-SC" in font for font in fonts), fonts
    assert "年度报告" in text and "培养节点按时完成率" in text
    assert "十二月" in text  # a chart's label
    _, record_text = pdf_fonts_and_text(record_pdf)
    assert "培养计划" in record_text


def test_charts_escape_labels_and_draw_values() -> None:
    svg = charts.bar_chart(
        [("<script>alert(1)</script>", 3), ("影像", Decimal("1.5"))],
        title="A & B",
        empty_label="none",
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "影像" in svg and "A &amp; B" in svg and svg.count("<rect") == 2
    line = charts.line_chart([("Jan", 1), ("Feb", None), ("Mar", 4)], title="t", empty_label="e")
    assert line.count("<circle") == 2 and "<polyline" not in line  # a gap: no segment of 2
    donut = charts.donut_chart([("a", 1), ("b", 3)], title="d", empty_label="e")
    assert donut.count("<path") == 2
    assert "e" in charts.line_chart([], title="t", empty_label="e")
    assert "nothing" in charts.donut_chart([("a", 0)], title="d", empty_label="nothing")


def test_charts_name_the_cjk_font_first_in_chinese_only() -> None:
    def family() -> str:
        svg = charts.bar_chart([("x", 1)], title="t", empty_label="-")
        return str(svg).split('font-family="', 1)[1].split('"', 1)[0]

    with translation.override("zh-hans"):
        assert family().startswith("&#x27;Noto Sans CJK SC&#x27;")
    with translation.override("en"):
        assert family().startswith("&#x27;DejaVu Sans&#x27;, &#x27;Noto Sans CJK SC&#x27;")


def test_the_line_chart_axis_makes_room_for_its_labels() -> None:
    """Large values: whole numbers on the axis, and the plot starts right of the widest."""
    line = charts.line_chart([("Jan", 5979), ("Feb", 1310)], title="t", empty_label="e")
    labels = [part.split(">", 1)[1] for part in str(line).split("</text>") if 'end"' in part]
    assert [label.rsplit(">", 1)[-1] for label in labels] == ["0", "2990", "5979"]
    first_point = float(str(line).split('<circle cx="', 1)[1].split('"', 1)[0])
    assert first_point >= 7 * len("5979") + 8
    small = charts.line_chart([("Jan", 1.5)], title="t", empty_label="e", max_value=3)
    assert ">1.5<" in str(small) and ">3<" in str(small)
