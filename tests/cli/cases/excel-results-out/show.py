# show.py BOOK — what openpyxl (a real reader) finds in a workbook Rubric
# wrote: sheets, frozen panes, every row, and which rows are filled pink.
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    print("sheet %s, frozen %s, %d rows" % (ws.title, ws.freeze_panes, ws.max_row))
    for row in ws.iter_rows():
        fill = row[0].fill.fgColor.rgb if row[0].fill and row[0].fill.fill_type else None
        vals = ["" if c.value is None else repr(c.value) if not isinstance(c.value, str) else c.value for c in row]
        print(("  [pink] " if fill and str(fill).endswith("FFC7CE") else "  ") + " | ".join(vals))
