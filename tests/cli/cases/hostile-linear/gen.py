"""gen.py — the hostile templates of issue 7.6, written to the directory given."""
import sys

out = sys.argv[1]
name = "v" * (1 << 20)
with open(out + "/long.rubric", "w") as f:  # a 1 MB name, misspelt by one letter
    f.write("form f {\n  input %s: number\n  item a points 10 = min(10, %sw)\n}\n" % (name, name[:-1]))
with open(out + "/key.ndjson", "w") as f:  # a 4 MB unknown record key
    f.write('{"%s":1,"a":1}\n' % ("k" * (4 << 20)))
arms = ",\n".join("    >= %d: g%d" % (65536 - i, i) for i in range(65536))
with open(out + "/arms.rubric", "w") as f:  # 65,536 grade arms, the last one twice
    f.write("form f {\n  item a points 65536\n  grade {\n%s,\n    >= 0: g65535\n  }\n}\n" % arms)
opts = ", ".join("o%d" % i for i in range(65536))
with open(out + "/opts.rubric", "w") as f:  # 65,536 options, all on one line
    f.write("form f {\n  input c: choice { %s, o0 }\n  item a points 10\n}\n" % opts)
