# book.py — a workbook typed as a person types it, with a cell of the wrong
# type in each row, written by openpyxl.  Usage: book.py OUT.xlsx
import datetime, sys
import openpyxl

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "考核"
ws.append(["员工姓名", "日期", "金额", "类别", "工作积极性.直接领导"])
ws.append(["文本当数字", datetime.date(2026, 6, 1), "十二", "a", 8])
ws.append(["数字当日期", 45000, 12, "b", 8])
ws.append(["布尔当选项", datetime.date(2026, 6, 1), 12, True, 8])
ws.append(["多行\n姓名", datetime.date(2026, 6, 1), 12, "乙", 9])
ws.append(["换行之后", datetime.date(2026, 6, 1), 12, "a", "优"])
ws.append(["太宽", datetime.date(2026, 6, 1), 12, "a", 9, "表头之外"])
wb.save(sys.argv[1])
