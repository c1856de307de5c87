"""The text inside a downloaded file, so the URL walk can look for department B's markers in exports.

XLSX, CSV and PDF bodies hide their text from a plain substring search: XLSX is a zip of XML, CSV may
carry a BOM, and ReportLab writes Chinese as UTF-16 glyph codes of a CID font inside ASCII85+Flate
compressed content streams. ``file_text`` returns (kind, text) with the readable text of each.
"""

import base64
import csv
import html
import io
import re
import zipfile
import zlib


def file_kind(body: bytes, content_type: str = "") -> str:
    """"xlsx", "zip", "pdf", "csv" or "html/other" (anything else: searched as text)."""
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile:
            return "other"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if "text/csv" in content_type:
        return "csv"
    return "other"


def xlsx_text(body: bytes) -> str:
    """Every cell of every sheet, tab-separated, one row a line."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    lines = []
    for sheet in workbook.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    workbook.close()
    return "\n".join(lines)


def csv_text(body: bytes) -> str:
    text = body.decode("utf-8-sig", "replace")
    return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))


def zip_text(body: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(body))
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


# --- PDF -------------------------------------------------------------------------------------------

_STREAM = re.compile(rb"\bobj\b((?:(?!\bendobj\b).)*?)\bstream\r?\n(.*?)\s*\bendstream\b", re.S)
_OBJECT = re.compile(rb"\d+\s+\d+\s+obj(.*?)endobj", re.S)
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _decode_stream(header: bytes, data: bytes) -> bytes:
    filters = re.findall(rb"/(ASCII85Decode|FlateDecode|ASCIIHexDecode|A85|Fl|AHx)\b", header)
    for name in filters:  # in the order the writer listed them, which is the order to undo them
        if name in (b"ASCII85Decode", b"A85"):
            data = base64.a85decode(data.strip().removeprefix(b"<~").removesuffix(b"~>"), adobe=False)
        elif name in (b"FlateDecode", b"Fl"):
            data = zlib.decompress(data)
        else:
            data = bytes.fromhex(re.sub(rb"\s|>", b"", data).decode())
    return data


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after the "(" at ``i``; returns its bytes and the index after ")"."""
    out = bytearray()
    depth = 1
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            i += 1
            n = data[i] if i < len(data) else 0
            if n in _ESCAPES:
                out += _ESCAPES[n]
            elif 0x30 <= n <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[i:i + 3]).group()
                out.append(int(digits, 8) & 0xFF)
                i += len(digits) - 1
            elif n in (0x0A, 0x0D):  # line continuation
                if n == 0x0D and data[i + 1:i + 2] == b"\n":
                    i += 1
            else:
                out.append(n)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
            out.append(c)
        else:
            out.append(c)
        i += 1
    return bytes(out), i


def _content_strings(content: bytes, two_byte_fonts: set[bytes]) -> list[str]:
    """The shown strings of one content stream, decoded by the font selected when each is shown."""
    shown = []
    font = b""
    i = 0
    token = re.compile(rb"/([^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf|\(|<(?!<)([0-9A-Fa-f\s]*)>")
    while True:
        m = token.search(content, i)
        if m is None:
            break
        if m.group(1) is not None:
            font = m.group(1)
            i = m.end()
            continue
        if m.group(0) == b"(":
            raw, i = _literal(content, m.end())
        else:
            raw = bytes.fromhex(re.sub(rb"\s", b"", m.group(2)).decode() + ("0" if len(m.group(2).strip()) % 2 else ""))
            i = m.end()
        if font in two_byte_fonts and len(raw) % 2 == 0:
            shown.append(raw.decode("utf-16-be", "replace"))
        else:
            shown.append(raw.decode("latin-1"))
    return shown


def pdf_text(body: bytes) -> str:
    """The text shown on the pages of a PDF (ReportLab's CID fonts: UCS-2 glyph codes), concatenated.

    Strings are joined without separators, so a marker that ReportLab wrapped over two lines of a
    table cell is still found whole.
    """
    two_byte_fonts = set()
    for obj in _OBJECT.finditer(body):
        text = obj.group(1)
        if b"/Type0" in text and re.search(rb"/Encoding\s*/(Uni\w*-UCS2-|Uni\w*-UTF16-|Identity-)", text):
            name = re.search(rb"/Name\s*/(\w+)", text)
            if name:
                two_byte_fonts.add(name.group(1))
    pieces = []
    for m in _STREAM.finditer(body):
        try:
            content = _decode_stream(m.group(1), m.group(2))
        except (ValueError, zlib.error):
            continue
        if b"Tj" in content or b"TJ" in content:
            pieces.extend(_content_strings(content, two_byte_fonts))
        else:
            pieces.append(content.decode("utf-8", "replace"))  # metadata, XMP: searched as they are
    info = re.findall(rb"/(?:Title|Subject|Author|Keywords)\s*\(((?:\\.|[^\\)])*)\)", body)
    return "".join(pieces) + "\n" + "\n".join(i.decode("latin-1") for i in info)


def file_text(body: bytes, content_type: str = "") -> tuple[str, str]:
    kind = file_kind(body, content_type)
    if kind == "xlsx":
        return kind, xlsx_text(body)
    if kind == "zip":
        return kind, zip_text(body)
    if kind == "pdf":
        return kind, pdf_text(body)
    if kind == "csv":
        return kind, csv_text(body)
    return kind, readable(body.decode("utf-8", "replace"))


_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def readable(text: str) -> str:
    """HTML or JSON as a reader sees it: JSON (a chooser modal, an API answer, a ``json_script`` block)
    writes Chinese as \\uXXXX escapes and HTML may use character references, so both are undone too."""
    unescaped = html.unescape(_UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return text if unescaped == text else f"{text}\n{unescaped}"
