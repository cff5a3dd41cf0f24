"""Crafting hostile returned workbooks from good ones, as bytes, at test time (INTAKE.md 1-20).

Every function takes the bytes of a good filled return (or nothing) and gives the bytes of a
damaged, disguised or doubtful one. Nothing here is committed as a binary fixture.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import openpyxl

REPORT, AGREEMENT, GUIDE, META = "รายงานผล", "คำรับรอง", "คำชี้แจง", "_meta"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSB_TYPE = b"application/vnd.ms-excel.sheet.binary.macroEnabled.main"

Change = Callable[[openpyxl.Workbook], None]


# -- zip plumbing -------------------------------------------------------------------------------

def part(data: bytes, name: str) -> bytes:
    """One part of a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def names(data: bytes) -> list[str]:
    """The part names of a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None,
          add: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """The same zip with parts replaced (None deletes them) and parts added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def make_zip(parts: dict[str, bytes]) -> bytes:
    """A fresh zip of ``parts``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def report_part(data: bytes, sheet: str = REPORT) -> str:
    """The zip member of the report sheet ``รายงานผล`` (or of ``sheet``), found through the
    workbook's rels."""
    workbook = part(data, "xl/workbook.xml").decode("utf-8")
    rels = part(data, "xl/_rels/workbook.xml.rels").decode("utf-8")
    match = re.search(r'<(?:\w+:)?sheet [^>]*name="' + sheet + r'"[^>]*/>', workbook)
    assert match, f"no sheet {sheet}"
    rid = re.search(r'r:id="([^"]+)"', match.group(0))
    assert rid
    target = re.search(r'<Relationship [^>]*Id="' + rid.group(1) + r'"[^>]*/>', rels)
    assert target
    path = re.search(r'Target="([^"]+)"', target.group(0))
    assert path
    return path.group(1).lstrip("/") if path.group(1).startswith("/") else "xl/" + path.group(1)


def edit_part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip with one part rewritten by ``change``."""
    return rezip(data, {name: change(part(data, name))})


# -- editing with openpyxl, as a user who removed protection would ----------------------------

def edit(data: bytes, *changes: Change) -> bytes:
    """Open in openpyxl, unprotect every sheet, apply ``changes``, save."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        ws.protection.sheet = False
    for change in changes:
        change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def set_meta(key: str, value: object) -> Change:
    """Change one ``_meta`` value."""
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[META]
        for row in ws.iter_rows():
            if row[0].value == key:
                row[1].value = value
                return
        raise KeyError(key)
    return change


def drop_meta_key(key: str) -> Change:
    """Blank one ``_meta`` row (key and value)."""
    def change(wb: openpyxl.Workbook) -> None:
        for row in wb[META].iter_rows():
            if row[0].value == key:
                row[0].value = row[1].value = None
                return
        raise KeyError(key)
    return change


def set_cell(sheet: str, cell: str, value: object) -> Change:
    """Type ``value`` into ``sheet!cell``."""
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value
    return change


def set_text(sheet: str, cell: str, text: str) -> Change:
    """Put ``text`` into a cell as a string, even when it starts with ``=``."""
    def change(wb: openpyxl.Workbook) -> None:
        target = wb[sheet][cell]
        target.value = text
        target.data_type = "s"
    return change


def remove_sheet(sheet: str) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb.remove(wb[sheet])
    return change


def rename_sheet(sheet: str, title: str) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].title = title
    return change


def insert_rows(sheet: str, row: int) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].insert_rows(row)
    return change


def delete_rows(sheet: str, row: int) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].delete_rows(row)
    return change


def hide_row(sheet: str, row: int) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].row_dimensions[row].hidden = True
    return change


def hide_sheet(sheet: str) -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].sheet_state = "hidden"
    return change


def add_sheet(title: str, state: str = "visible") -> Change:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet(title)
        ws["A1"] = "บันทึกส่วนตัว"
        ws.sheet_state = state
    return change


def drop_defined_names(wb: openpyxl.Workbook) -> None:
    """What some programs do: lose every workbook-level defined name."""
    for name in list(wb.defined_names):
        del wb.defined_names[name]


# -- 1: not a workbook at all -------------------------------------------------------------------

CSV = "รหัสตัวชี้วัด,ผล\n2.1,84\n2.2,3.5\n".encode()
HTML = b"<!DOCTYPE html><html><body><table><tr><td>2.1</td><td>84</td></tr></table></body></html>"
TEXT = "ผลการดำเนินงาน ตัวชี้วัด 2.1 ได้ 84 ครับ".encode()


def truncated(data: bytes) -> bytes:
    """A download cut off half way: the central directory is gone."""
    return data[: len(data) // 2]


def no_central_directory(data: bytes) -> bytes:
    """Only the last bytes missing: the end-of-central-directory record is cut."""
    return data[:-10]


# -- 2-3: other containers ---------------------------------------------------------------------

def encrypted(data: bytes, password: str = "1234") -> bytes:
    """Password-to-open: Excel's agile encryption in an OLE2 container (msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def xlsb(data: bytes) -> bytes:
    """What the reader sees of an .xlsb: a binary workbook part and its content type."""
    types = part(data, "[Content_Types].xml").replace(XLSX_TYPE, XLSB_TYPE).replace(
        b'PartName="/xl/workbook.xml"', b'PartName="/xl/workbook.bin"')
    return rezip(data, {"[Content_Types].xml": types, "xl/workbook.xml": None},
                 {"xl/workbook.bin": b"\x83\x01\x00\x80\x01\x00"})


def numbers(_data: bytes = b"") -> bytes:
    """An Apple Numbers package: IWA archives under Index/."""
    return make_zip({"Index/Document.iwa": b"\x00" * 64, "Index/Tables/DataList.iwa": b"\x00",
                     "Metadata/Properties.plist": b"<plist/>", "preview.jpg": b"\xff\xd8"})


def ods(_data: bytes = b"") -> bytes:
    """An OpenDocument spreadsheet's telltale stored ``mimetype`` first entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b'<?xml version="1.0"?><office:document-content '
                         b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        archive.writestr("META-INF/manifest.xml", b"<manifest/>")
    return out.getvalue()


# -- 4-5: macro-enabled, not a workbook, Strict ------------------------------------------------

def macro_enabled(data: bytes) -> bytes:
    """The return saved as .xlsm: macro content type and a VBA project part."""
    types = part(data, "[Content_Types].xml").replace(XLSX_TYPE, XLSM_TYPE).replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                     b'vbaProject"/></Types>')
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                             b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                             b"</Relationships>")
    return rezip(data, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                 {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504})


DOCX_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
              b'.org/package/2006/content-types"><Default Extension="xml" ContentType="applica'
              b'tion/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
              b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def docx(_data: bytes = b"") -> bytes:
    """A Word document (renamed .xlsx)."""
    return make_zip({"[Content_Types].xml": DOCX_TYPES,
                     "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas'
                                    b'.openxmlformats.org/package/2006/relationships"/>',
                     "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://'
                                          b'schemas.openxmlformats.org/wordprocessingml/2006/'
                                          b'main"><w:body/></w:document>'})


def any_zip(_data: bytes = b"") -> bytes:
    """Photos zipped up and named .xlsx."""
    return make_zip({"photo1.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 100, "readme.txt": b"hi"})


def strict(data: bytes) -> bytes:
    """Strict Open XML: every part in the purl.oclc.org namespaces."""
    replace: dict[str, bytes | None] = {}
    for name in names(data):
        if name.endswith((".xml", ".rels")):
            body = part(data, name)
            replace[name] = body.replace(MAIN_NS, STRICT_NS).replace(REL_NS, STRICT_REL_NS)
    return rezip(data, replace)


# -- 6-8: resource exhaustion --------------------------------------------------------------------

def too_many_entries(data: bytes, count: int = 1_500) -> bytes:
    return rezip(data, add={f"customXml/item{i}.xml": b"<a/>" for i in range(count)})


def compressible_part(data: bytes, size: int) -> bytes:
    """A huge, highly compressible extra part."""
    return rezip(data, add={"xl/media/image1.bin": bytes(size)}, level=9)


def bomb_report_sheet(data: bytes, size: int) -> bytes:
    """The report sheet itself padded with whitespace until it inflates to ``size`` bytes."""
    name = report_part(data)
    xml = part(data, name)
    pad = b" " * max(0, size - len(xml))
    return rezip(data, {name: xml.replace(b"<sheetData>", b"<sheetData>" + pad, 1)}, level=9)


def billion_laughs(root: bytes) -> bytes:
    """A DOCTYPE whose entities expand to 10**9 characters."""
    entities = b'<!ENTITY lol0 "lollollollollol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
        for i in range(1, 10))
    return b"<!DOCTYPE " + root + b" [" + entities + b"]>"


EXTERNAL = b'<!DOCTYPE %s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(data: bytes, member: str, root: bytes, doctype: bytes,
                 use_entity: bytes | None = None) -> bytes:
    """Insert ``doctype`` before ``<root`` in ``member``; optionally reference an entity."""
    xml = part(data, member)
    at = xml.index(b"<" + root)
    xml = xml[:at] + doctype + xml[at:]
    if use_entity is not None:
        end = xml.index(b">", xml.index(b"<" + root)) + 1
        xml = xml[:end] + use_entity + xml[end:]
    return rezip(data, {member: xml})


def lying_dimension(data: bytes) -> bytes:
    """``<dimension ref="A1:XFD1048576">`` and a formatted cell in the very last one."""
    name = report_part(data)
    xml = part(data, name)
    xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml)
    xml = xml.replace(b"</sheetData>",
                      b'<row r="1048576" spans="1:16384"><c r="XFD1048576" s="1"/></row>'
                      b"</sheetData>")
    return rezip(data, {name: xml})


def huge_formatted_range(data: bytes, rows: int = 60_000) -> bytes:
    """Tens of thousands of formatted, empty rows after the table (streamed past 2 MB)."""
    name = report_part(data)
    xml = part(data, name)
    filler = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="XFD%d" '
                      b's="1"/></row>' % (r, r, r) for r in range(200, 200 + rows))
    xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml)
    return rezip(data, {name: xml.replace(b"</sheetData>", filler + b"</sheetData>")})


def huge_row_numbers(data: bytes) -> bytes:
    """Rows numbered far beyond Excel's limit, and a cell at column XFD."""
    name = report_part(data)
    xml = part(data, name)
    xml = xml.replace(b"</sheetData>",
                      b'<row r="99999999999"><c r="ZZZ99999999999" t="str"><v>x</v></c></row>'
                      b"</sheetData>")
    return rezip(data, {name: xml})


# -- 19-20: links, program quirks -----------------------------------------------------------------

EXTERNAL_LINK = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="'
                 + MAIN_NS + b'" xmlns:r="' + REL_NS + b'"><externalBook r:id="rId1"><sheetNames>'
                 b'<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')


def external_link(data: bytes) -> bytes:
    """A link to another workbook, wired in as Excel writes it."""
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="'
                     b'application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink'
                     b'+xml"/></Types>')
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.'
                             b'org/officeDocument/2006/relationships/externalLink" Target="'
                             b'externalLinks/externalLink1.xml"/></Relationships>')
    workbook = part(data, "xl/workbook.xml")
    workbook = re.sub(rb"(</sheets>)", rb'\1<externalReferences><externalReference r:id="'
                      rb'rIdExt1"/></externalReferences>', workbook, count=1)
    link_rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                 b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'externalLinkPath" Target="file:///C:/secret/budget.xlsx" TargetMode="External"'
                 b"/></Relationships>")
    return rezip(data, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                        "xl/workbook.xml": workbook},
                 {"xl/externalLinks/externalLink1.xml": EXTERNAL_LINK,
                  "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels})


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)


def like_other_programs(data: bytes) -> bytes:
    """As Excel, WPS or Google Sheets write it: a shared-string table instead of inline strings,
    no ``<dimension>``, no cached formula values."""
    strings: list[bytes] = []
    replace: dict[str, bytes | None] = {}
    for name in names(data):
        if not name.startswith("xl/worksheets/sheet") or not name.endswith(".xml"):
            continue
        xml = part(data, name)

        def shared(match: re.Match[bytes]) -> bytes:
            strings.append(match.group(3))
            return (b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>"
                    + str(len(strings) - 1).encode() + b"</v></c>")

        xml = _INLINE.sub(shared, xml)
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        xml = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", xml)
        xml = re.sub(rb"(</f>)<v ?/>", rb"\1", xml)
        replace[name] = xml
    table = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="' + MAIN_NS
             + b'" count="%d" uniqueCount="%d">' % (len(strings), len(strings))
             + b"".join(b"<si>" + s + b"</si>" for s in strings) + b"</sst>")
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                     b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                             b'officeDocument/2006/relationships/sharedStrings" Target="'
                             b'sharedStrings.xml"/></Relationships>')
    replace.update({"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels})
    return rezip(data, replace, {"xl/sharedStrings.xml": table})


def cell_xml(data: bytes, ref: str, xml: bytes, sheet: str = REPORT) -> bytes:
    """Replace the report sheet's (or ``sheet``'s) cell ``ref`` with raw ``xml`` (e.g. a
    cached formula)."""
    name = report_part(data, sheet)
    body = part(data, name)
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    assert pattern.search(body), ref
    return rezip(data, {name: pattern.sub(lambda _m: xml, body, count=1)})
