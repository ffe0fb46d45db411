#!/usr/bin/python3
"""po-fill.py — a translator's helper: fills empty msgstr entries of a PO file
from a list of pairs.

    tools/po-fill.py po/zh_CN.po PAIRS.txt

PAIRS.txt holds two lines per message, each a PO-quoted string: the msgid,
then its translation.  Only entries whose msgstr is empty are filled; a pair
whose msgid is not in the PO file is reported and the run fails, so a typo
never silently drops a translation.  `make po-check` then verifies
placeholders."""
import sys


def quoted(line):
    line = line.strip()
    if not (line.startswith('"') and line.endswith('"')):
        sys.exit(f"po-fill: not a quoted string: {line}")
    return line


def main():
    po_path, pairs_path = sys.argv[1], sys.argv[2]
    lines = [l for l in open(pairs_path, encoding="utf-8").read().split("\n") if l.strip()]
    pairs = {quoted(lines[i]): quoted(lines[i + 1]) for i in range(0, len(lines) - 1, 2)}
    out, used = [], set()
    po = open(po_path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(po):
        line = po[i]
        out.append(line)
        if line.startswith("msgid ") and i + 1 < len(po) and po[i + 1] == 'msgstr ""':
            mid = line[6:]
            nxt = po[i + 2] if i + 2 < len(po) else ""
            if mid in pairs and mid != '""' and not nxt.startswith('"'):
                out.append("msgstr " + pairs[mid])
                used.add(mid)
                i += 2
                continue
        i += 1
    missing = [m for m in pairs if m not in used]
    open(po_path, "w", encoding="utf-8").write("\n".join(out))
    if missing:
        sys.exit("po-fill: not empty or not in the PO file: " + ", ".join(missing))


main()
