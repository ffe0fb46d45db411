#!/usr/bin/python3
"""doc_examples.py — the examples in the documentation run (make docs-test).

Usage: doc_examples.py RUBRIC FILE.md...

What a fenced block is, by its info string and its place:
  - a block followed directly (nothing but blank lines between) by a block
    whose first line is `$ rubric check NAME.rubric` is that file: it is
    checked and the output must be the second block, exactly (stderr and
    stdout together, with the exit status only through the summary line);
  - otherwise an untagged block whose first non-comment line starts with
    `form ` is a whole template and must check without errors;
  - a block tagged ```outline (syntax outlines: `item NAME [LABEL] …`), and
    every other block (fragments, records, output on its own), is skipped.
`<bytes B2 E2>` in a template stands for those raw bytes (an example of a
file that is not UTF-8).  The same tags work for every language's guide:
docs/zh/*.md are run the same way, with --lang taken from the path.
"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(text):
    """(info, lines, prose_before, line_number) for each fenced block."""
    out, info, body, prose, inside, start = [], None, [], [], False, 0
    for number, line in enumerate(text.split('\n'), 1):
        if line.startswith('```'):
            if inside:
                out.append((info, body, ''.join(prose).strip(), start))
                body, prose = [], []
            else:
                info, start = line[3:].strip(), number
            inside = not inside
        elif inside:
            body.append(line)
        else:
            prose.append(line)
    return out


def raw_bytes(text):
    return re.sub(r'<bytes ((?:[0-9A-F]{2} ?)+)>',
                  lambda m: bytes.fromhex(m.group(1)).decode('latin-1'), text).encode('latin-1', 'replace') \
        if '<bytes ' in text else text.encode()


def is_template(info, lines):
    if info:
        return False
    for line in lines:
        s = line.strip()
        if not s or s.startswith('//'):
            continue
        return s.startswith('form ')
    return False


def run(rubric, lang, args, name, source, tmp):
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(source)
    env = dict(os.environ, RUBRIC_LANG=lang, NO_COLOR='1')
    p = subprocess.run([rubric, 'check'] + args + [name], cwd=tmp, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def main():
    rubric, files = os.path.abspath(sys.argv[1]), sys.argv[2:]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in files:
            lang = 'zh' if '/zh/' in doc else 'en'
            bl = blocks(open(doc, encoding='utf-8').read())
            for i, (info, lines, _, start) in enumerate(bl):
                nxt = bl[i + 1] if i + 1 < len(bl) else None
                expect = None
                if nxt and not nxt[2] and nxt[1] and nxt[1][0].startswith('$ rubric check '):
                    expect = nxt
                if info or (lines and lines[0].startswith('$ ')) or not (expect or is_template(info, lines)):
                    continue
                source = raw_bytes('\n'.join(lines) + '\n')
                where = '%s:%d' % (doc, start)
                if expect:
                    words = expect[1][0].split()[3:]
                    name, args = words[-1], words[:-1]
                    status, got = run(rubric, lang, args, name, source, tmp)
                    want = '\n'.join(expect[1][1:]).rstrip('\n') + '\n'
                    if got.rstrip('\n') + '\n' != want:
                        failed += 1
                        print('FAIL %s\n--- documented\n%s--- rubric check says\n%s' % (where, want, got))
                        continue
                else:
                    status, got = run(rubric, lang, [], 't.rubric', source, tmp)
                    if status != 0:
                        failed += 1
                        print('FAIL %s: a whole template that does not check\n%s' % (where, got))
                        continue
                passed += 1
    print('docs: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
