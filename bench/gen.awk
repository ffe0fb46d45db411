# gen.awk — deterministic bench records (a linear congruential generator, so
# every run and every machine scores the same bytes).  Writes, into DIR:
#   sales.ndjson / sales.csv   N records of the 销售表现考核表 (templates/sales.rubric)
#   cs.ndjson                  N records of the 客服周考核 form with raters
#                              (templates/cs_weekly.rubric)
# About 1 record in 50 is invalid (a rating out of range, or more days
# attended than worked), so the error path is measured too.
# Usage: awk -v n=N -v dir=DIR -f bench/gen.awk
function rnd(m) { s = (s * 1103515245 + 12345) % 2147483648; return int(s / 65536) % m }
function dec(lo, span) { return lo + rnd(span * 10) / 10 }
BEGIN {
    s = 12345
    sales = dir "/sales.ndjson"; csv = dir "/sales.csv"; cs = dir "/cs.ndjson"
    print "name,month,monthly_sales,plan,last_year,attended,workdays,initiative,teamwork,sharing,product_knowledge,communication,excellent_before,fail_before" > csv
    split("revisit:20 agent:15 report:20 increase:15 entry_pts:15 stock:15 initiative:30 cooperation:20 innovation:10 communication:10 loyalty:10", items, " ")
    split("full half penalty", disc, " ")
    for (i = 1; i <= n; i++) {
        plan = 80 + rnd(100); ms = dec(plan * 0.5, plan)
        ly = rnd(4) ? dec(60, 120) : ""
        wd = 20 + rnd(4); at = wd - rnd(4)
        if (rnd(50) == 0) at = wd + 1                    # fails the check
        ini = 1 + rnd(10); tw = 1 + rnd(10); sh = 1 + rnd(10); pk = 1 + rnd(10); cm = 1 + rnd(10)
        if (rnd(100) == 0) pk = 11                       # out of range
        eb = rnd(3); fb = rnd(3)
        line = "{\"name\":\"员工" i "\",\"month\":\"2026-03-31\",\"monthly_sales\":" ms ",\"plan\":" plan
        if (ly != "") line = line ",\"last_year\":" ly
        line = line ",\"attended\":" at ",\"workdays\":" wd ",\"initiative\":" ini ",\"teamwork\":" tw \
               ",\"sharing\":" sh ",\"product_knowledge\":" pk ",\"communication\":" cm \
               ",\"excellent_before\":" eb ",\"fail_before\":" fb "}"
        print line > sales
        print "员工" i ",2026-03-31," ms "," plan "," ly "," at "," wd "," ini "," tw "," sh "," pk "," cm "," eb "," fb > csv

        line = "{\"name\":\"客服" i "\",\"supervisor\":\"张主管\",\"filled_on\":\"2019-04-12\",\"visits\":" 120 + rnd(60) \
               ",\"agents\":" rnd(6) ",\"reports\":" rnd(3) ",\"growth\":" rnd(3) ",\"entry\":\"" 90 + rnd(11) "%\",\"accuracy\":1"
        for (j = 1; j in items; j++) {
            split(items[j], kv, ":"); m = kv[2]
            line = line ",\"" kv[1] "\":{\"self\":" m - rnd(3) ",\"manager\":" m - rnd(m / 2) ",\"director\":" m - rnd(m / 2) "}"
        }
        if (rnd(60) == 0) line = line ",\"extra\":1"     # unknown key
        print line ",\"discipline\":\"" disc[1 + rnd(3)] "\",\"week\":\"2019年04月份第Ⅱ周\"}" > cs
    }
}
