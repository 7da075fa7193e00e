"""A plain .xlsx writer for long exports (【项目监督】's 【导出】 of 10,000+ rows).

openpyxl builds an object per cell and spends ~1–2 ms a row of 12 cells in
pure-Python XML writing (docs/benchmarks.md); a regulator's export of a
year's projects took minutes. This writes the one sheet's XML from a fixed
pattern per cell instead, streamed into the zip, so memory stays flat.

What it writes, and nothing more: one sheet, a bold header row, column
widths, text as inline strings (never a formula, whatever it starts with:
a project named “=HYPERLINK(…)” stays text), numbers with a column's number
format, datetimes as Excel serial numbers with theirs. Readers: Excel, WPS,
LibreOffice and openpyxl (the tests read every export back with it).
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

# XML 1.0 cannot carry these at all (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = dt.datetime(1899, 12, 30)
_KEPT_TEXTS = 50_000  # distinct texts remembered while writing one file

# Style ids in styles.xml below: 0 plain, 1 bold (the header), then one per
# number format, in the order NUMBER_FORMATS lists them.
NUMBER_FORMATS = ("#,##0.00", "yyyy-mm-dd hh:mm", "yyyy-mm-dd")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '</Relationships>')


def _workbook(sheet_name: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>')


def _styles() -> str:
    formats = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape(code)}"/>'
                      for i, code in enumerate(NUMBER_FORMATS))
    xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" '
                  'applyNumberFormat="1"/>' for i in range(len(NUMBER_FORMATS)))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<numFmts count="{len(NUMBER_FORMATS)}">{formats}</numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(NUMBER_FORMATS)}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            f'{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>')


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        name = chr(65 + rest) + name
    return name


def _text(value) -> str:
    return escape(_ILLEGAL.sub("", str(value)))


def write(out, sheet_name: str, headers, rows, widths=(), formats=()) -> int:
    """Write `rows` (sequences of cell values) under `headers` to `out` (a
    path or a binary file). `formats[i]`, when given, is one of
    NUMBER_FORMATS for column i. Values: None or "" → an empty cell; str →
    text; int, float, Decimal → a number; bool → TRUE/FALSE; datetime/date → a date.
    Returns the number of rows written (the header not counted)."""
    columns = [_column(i) for i in range(len(headers))]
    style = [(2 + NUMBER_FORMATS.index(f)) if f else 0
             for f in (list(formats) + [None] * len(headers))[:len(headers)]]
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook(sheet_name))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _styles())
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                           for i, w in enumerate(widths))
            head = "".join(f'<c r="{columns[i]}1" t="inlineStr" s="1"><is><t>{_text(h)}</t></is></c>'
                           for i, h in enumerate(headers))
            sheet.write((
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + (f"<cols>{cols}</cols>" if cols else "")
                + f'<sheetData><row r="1">{head}</row>').encode())
            chunk = []
            # A column repeats its texts (units, regions, methods, stages):
            # each distinct one is escaped once per file, not once per cell.
            texts: dict = {}
            for n, row in enumerate(rows, start=1):
                r = n + 1
                cells = []
                for i, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    kind = type(value)
                    s = f' s="{style[i]}"' if style[i] else ""
                    if kind is str:
                        text = texts.get(value)
                        if text is None:
                            if len(texts) >= _KEPT_TEXTS:
                                texts.clear()
                            text = texts[value] = _text(value)
                        cells.append(f'<c r="{columns[i]}{r}" t="inlineStr"{s}><is><t xml:space="preserve">'
                                     f"{text}</t></is></c>")
                    elif kind is Decimal:
                        cells.append(f'<c r="{columns[i]}{r}"{s}><v>{value:f}</v></c>')
                    else:
                        cells.append(_other(value, f"{columns[i]}{r}", s))
                chunk.append(f'<row r="{r}">{"".join(cells)}</row>')
                if len(chunk) >= 500:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return n


def _other(value, ref: str, s: str) -> str:
    """A cell of any kind but text and Decimal (the common two, inline above)."""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH).total_seconds() / 86400!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH.date()).days}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'
    raise TypeError(f"column {ref.rstrip('0123456789')}: {type(value).__name__}")


def _number(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(value)


def append_as_text(sheet, values) -> None:
    """openpyxl's `sheet.append`, but a text that begins with “=” stays text:
    openpyxl makes it a formula, so an expert named “=HYPERLINK(…)” became a
    live link in every reader's spreadsheet. (The writer above never writes
    formulas; this is for the workbooks built with openpyxl.)"""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
