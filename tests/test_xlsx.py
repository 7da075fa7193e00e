"""app/xlsx.py, read back with openpyxl as a spreadsheet user's program would:
types, formats, the header, text that must never become a formula."""
import datetime as dt
import io
import warnings
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app import xlsx


def _read(**kwargs):
    out = io.BytesIO()
    n = xlsx.write(out, kwargs.pop("name", "项目监督"), kwargs.pop("headers"), kwargs.pop("rows"),
                   **kwargs)
    out.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns about a missing stylesheet or style
        book = load_workbook(out)
    return n, book


def test_values_come_back_as_their_types():
    when = dt.datetime(2026, 12, 1, 9, 30)
    rows = [["=HYPERLINK(\"http://x\")", Decimal("1450000.00"), when, 3, dt.date(2026, 2, 24),
             None, True, 2.5],
            ["甲\x00乙\x1f丙 & <b>", Decimal("0.01"), when, 0, None, "", False, -1.0]]
    n, book = _read(headers=["名称", "金额", "时间", "数", "日期", "空", "是否", "小数"], rows=rows,
                    widths=(30, 16), formats=[None, "#,##0.00", "yyyy-mm-dd hh:mm", None,
                                              "yyyy-mm-dd"])
    assert n == 2 and book.sheetnames == ["项目监督"]
    sheet = book["项目监督"]
    header = [c.value for c in sheet[1]]
    assert header == ["名称", "金额", "时间", "数", "日期", "空", "是否", "小数"]
    assert all(c.font.b for c in sheet[1])
    a2, b2, c2, d2, e2, f2, g2, h2 = sheet[2]
    assert a2.value == "=HYPERLINK(\"http://x\")" and a2.data_type == "s"  # text, not a formula
    assert b2.value == 1450000 and b2.number_format == "#,##0.00"
    assert c2.value == when and c2.number_format == "yyyy-mm-dd hh:mm"
    assert d2.value == 3 and e2.value == dt.datetime(2026, 2, 24)
    assert f2.value is None and g2.value is True and h2.value == 2.5
    row3 = [c.value for c in sheet[3]]
    assert row3[0] == "甲乙丙 & <b>"  # what XML cannot carry is dropped, the rest escaped
    assert row3[1] == 0.01 and row3[3] == 0 and row3[6] is False and row3[7] == -1
    assert sheet.column_dimensions["A"].width == 30 and sheet.column_dimensions["B"].width == 16


def test_many_rows_and_columns_past_z():
    headers = [f"列{i}" for i in range(30)]
    rows = ([f"第{r}行", *range(29)] for r in range(3000))
    n, book = _read(headers=headers, rows=rows)
    sheet = book.active
    assert n == 3000 and sheet.max_row == 3001 and sheet.max_column == 30
    assert sheet["AD3001"].value == 28 and sheet["A3001"].value == "第2999行"


def test_an_unknown_value_is_refused_not_written():
    with pytest.raises(TypeError):
        xlsx.write(io.BytesIO(), "表", ["a"], [[object()]])
