# books.py — workbooks for the .xlsx tests, written by a real writer
# (openpyxl), plus the few forms openpyxl cannot write (a formula's cached
# value, the 1904 date system, an error cell, an inline string, a DOCTYPE,
# a zip bomb), written part by part with zipfile.  Usage: books.py DIR
import csv, datetime, sys, zipfile
import openpyxl

out = sys.argv[1]
here = sys.path[0]

# 1. cells.csv of excel-csv-cells, every cell as the text it is: must score
#    exactly as the CSV does.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "成绩"
with open(here + "/../excel-csv-cells/cells.csv", encoding="utf-8") as f:
    for i, row in enumerate(csv.reader(f)):
        for j, v in enumerate(row):
            if v != "":
                ws.cell(row=i + 1, column=j + 1, value=v)
wb.create_sheet("说明")["A1"] = "not records"
wb.save(out + "/text.xlsx")

# 2. The same records typed as Excel types them: dates, booleans, numbers.
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["员工姓名", "日期", "通过", "金额", "占比", "标签", "工作积极性.直接领导", "initiative.self", "extra.manager"])
ws.append(["typed", datetime.date(2026, 6, 1), True, 12, 0.5, "a", 8, None, 9])
ws.append(["float noise", datetime.datetime(2026, 6, 1), False, 0.1 + 0.2, 0.85, "甲;b", 8, 7, "不适用"])
ws.append([None] * 9)
ws.append(["   ", None, None, None])
ws.append(["date with time", datetime.datetime(2026, 6, 1, 9, 30), 1, 1234.5, 1, None, 9, None, None])
ws.append(["date in amount", datetime.date(2026, 6, 1), "是", datetime.date(2026, 6, 1), 1, None, 9, None, None])
ws.append(["line\nbreak", "2026/6/1", "√", "1,234.5", "85%", "b", "１０", None, "—"])
ws.append(["after the break", "2026年6月1日", "yes", 3, 0.1, None, 4, None, None])
for r in range(2, 9):
    ws.cell(row=r, column=2).number_format = "yyyy/m/d"
ws.cell(row=7, column=4).number_format = "yyyy-mm-dd"
ws.cell(row=5, column=1).number_format = "@"
wb.save(out + "/typed.xlsx")

# The records of same.ndjson as a person keeps them in Excel: typed cells,
# a sum with binary noise (0.1 + 0.2), percentages formatted as such.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "考核"
ws.append(["员工姓名", "日期", "通过", "金额", "占比", "标签", "工作积极性.直接领导", "工作积极性.自评", "附加.直接领导"])
ws.append(["李娜", datetime.date(2026, 6, 1), True, 1234.5, 0.85, "甲;乙", 8, 7, 9])
ws.append([])
ws.append(["王五", datetime.date(2026, 5, 31), False, 0.1 + 0.2, 0.1, None, 10, None, "不适用"])
ws.append(["张三", datetime.datetime(2026, 12, 25), "√", -3, 1, "b", 4.0, None, None])
for r in range(2, 6):
    ws.cell(row=r, column=5).number_format = "0%"
wb.save(out + "/same.xlsx")

# 3. Parts by hand: what openpyxl does not write.
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%s"/>'
        '</Relationships>')
def book(name, sheet_xml, date1904=False, target="worksheets/sheet1.xml", strings=None, styles=None, compress=zipfile.ZIP_DEFLATED):
    wbx = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           + ('<workbookPr date1904="1"/>' if date1904 else '') +
           '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
    with zipfile.ZipFile(out + "/" + name, "w", compress) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("xl/workbook.xml", wbx)
        z.writestr("xl/_rels/workbook.xml.rels", RELS % target)
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/styles.xml", styles or
                   '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
                   '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')
        if isinstance(sheet_xml, bytes) or isinstance(sheet_xml, str):
            z.writestr("xl/" + target.lstrip("/").replace("xl/", ""), sheet_xml)
        else:
            with z.open("xl/" + target, "w") as f:
                sheet_xml(f)

def sheet(rows):
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData>' + rows + '</sheetData></worksheet>')

SST = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
       '<si><t>员工姓名</t></si><si><t>day</t></si><si><t>passed</t></si><si><t>amount</t></si>'
       '<si><r><t>rich </t></r><r><t>text</t></r><rPh><t>ルビ</t></rPh></si></sst>')
HEADER = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
          '<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>工作积极性.直接领导</t></is></c></row>')
# 44711 is 2022-05-30 in the 1900 date system, 2026-05-31 in the 1904 one
for name, d1904 in (("forms1900.xlsx", False), ("forms1904.xlsx", True)):
    book(name, sheet(HEADER +
        '<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" s="1"><v>44711</v></c><c r="C2" t="b"><v>1</v></c>'
        '<c r="D2"><f>SUM(1,2)</f><v>3</v></c><c r="E2"><v>7</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>formula text, 年月日 style</t></is></c><c r="B4" s="2"><v>46174</v></c>'
        '<c r="C4" t="str"><f>IF(1,"是","否")</f><v>是</v></c><c r="D4"><v>0.30000000000000004</v></c><c r="E4"><v>1E1</v></c></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>error and no cached value</t></is></c><c r="B5" s="1"><v>46174</v></c>'
        '<c r="C5" t="b"><v>0</v></c><c r="D5" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E5"><f>A1</f></c></row>'
        '<row r="6"><c r="A6" t="inlineStr"><is><t>wide</t></is></c><c r="B6" s="1"><v>46174</v></c>'
        '<c r="C6" t="b"><v>0</v></c><c r="D6"><v>1</v></c><c r="E6"><v>5</v></c><c r="G6"><v>9</v></c></row>'
        ), date1904=d1904, strings=SST)

# Bad workbooks.
open(out + "/notzip.xlsx", "w").write("员工姓名,day\n")
book("doctype.xlsx", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
     '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
def bomb(f):
    f.write(sheet('<row r="1"><c t="inlineStr"><is><t>员工姓名</t></is></c></row>').encode()[:-len("</sheetData></worksheet>")])
    f.write(b'<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>')
    chunk = b" " * (1 << 20)
    for _ in range(80):   # 80 MiB of spaces: ~80 KiB deflated
        f.write(chunk)
    f.write(b"</sheetData></worksheet>")
book("bomb.xlsx", bomb)
book("badxml.xlsx", sheet('<row r="1"><c t="inlineStr"><is><t>员工姓名</t></is></c></row><row r="2"><c>'))
