#!/usr/bin/env python3
"""presales.py — the 售前客服 form (templates/presales.rubric) scored the way a
careful script would do it without Rubric: json + fractions for exact sums,
the same validation of ranges, one NDJSON result per record.  It is the
baseline `make bench` compares rubric against; it implements only this form.
"""
import json
import sys
from fractions import Fraction

ITEMS = [("attitude", [("knowledge", 10), ("initiative", 10), ("expression", 10), ("patience", 10)]),
         ("sales", [("technique", 15), ("target", 15), ("satisfaction", 10)]),
         ("growth", [("teamwork", 10), ("learning", 10)])]
GRADES = [(90, "excellent"), (75, "good"), (60, "fair")]


def score(rec):
    errors, sections, total = [], [], Fraction(0)
    for name, items in ITEMS:
        s = Fraction(0)
        for item, points in items:
            v = rec.get(item)
            if v is None:
                errors.append({"path": item, "code": "missing"})
                continue
            v = Fraction(str(v))
            if not 0 <= v <= points:
                errors.append({"path": item, "code": "range"})
            s += v
        sections.append({"name": name, "score": float(s)})
        total += s
    if errors:
        return {"ok": False, "errors": errors}
    grade = next((g for t, g in GRADES if total >= t), "improve")
    return {"ok": True, "total": float(total), "grade": {"id": grade}, "sections": sections}


def main():
    out = sys.stdout
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
        if line.strip():
            r = score(json.loads(line))
            r["record"] = n
            out.write(json.dumps(r, ensure_ascii=False) + "\n")


main()
