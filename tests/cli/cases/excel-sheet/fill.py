# fill.py BLANK FILLED ROWS_JSON — a person's work, done by openpyxl: opens
# the blank workbook `rubric sheet` wrote, prints what Excel would show of it
# (sheets, their state, frozen panes, header, validations), writes the rows
# (a list of {header: value}; "date:YYYY-MM-DD" becomes a date cell) under
# the header and saves it.
import datetime, json, sys
import openpyxl

blank, filled, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
wb = openpyxl.load_workbook(blank)
print("sheets:", ", ".join("%s (%s)" % (n, wb[n].sheet_state) for n in wb.sheetnames))
ws = wb.worksheets[0]
header = [c.value for c in ws[1]]
print("frozen:", ws.freeze_panes, "| header:", " | ".join(header))
for dv in ws.data_validations.dataValidation:
    print("  %s %s %s %s %s %s: %s" % (dv.sqref, dv.type or "any", dv.operator or "", dv.formula1 or "",
                                       dv.formula2 or "", dv.errorStyle or "stop", dv.prompt))
for n in wb.sheetnames[1:]:
    if wb[n].sheet_state == "hidden":
        col = [c.value for c in wb[n]["A"]]
        print("hidden %s: %d values, %s … %s" % (n, len(col), col[0], col[-1]))
    else:
        for row in wb[n].iter_rows(values_only=True):
            print("  " + " | ".join("" if v is None else str(v) for v in row).rstrip(" |"))
for r, values in enumerate(rows, start=2):
    for h, v in values.items():
        if isinstance(v, str) and v.startswith("date:"):
            v = datetime.date.fromisoformat(v[5:])
        ws.cell(row=r, column=header.index(h) + 1, value=v)
wb.save(filled)
