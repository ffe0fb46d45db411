# sales.jq — the 销售表现考核表 (templates/sales.rubric) in jq: binary floating
# point, the same range checks, bands, weights, grade and outputs, a short
# result per record.  A baseline for `make bench`; only this form.
def band(arms; d): . as $x | (first(arms[] | select($x >= .[0]) | .[1]) // d);
def bad(k; lo; hi): (.[k] | type != "number" or . < lo or . > hi or . != floor);
. as $r
| [ ("initiative","teamwork","sharing","product_knowledge","communication") as $k
    | select($r | bad($k; 1; 10)) | {path: $k, code: "range"} ]
  + (if ($r.attended > $r.workdays) then [{path: "", code: "check"}] else [] end)
  + (if ($r.plan | type) != "number" or $r.plan <= 0 then [{path: "plan", code: "range"}] else [] end)
| if length > 0 then {ok: false, errors: .} else
    ($r.monthly_sales / $r.plan | band([[1.2,20],[1.1,18],[1.0,16],[0.9,12],[0.8,8],[0.6,4]]; 0)) as $c
  | (if $r.last_year then (($r.monthly_sales - $r.last_year) / $r.last_year | band([[0.2,10],[0.1,8],[0,6],[-0.1,3]]; 0)) else null end) as $g
  | (if $g then [$c + $g, 30] else [$c, 20] end) as $perf
  | (($r.attended / $r.workdays | band([[1,10],[0.95,8],[0.9,6],[0.8,3]]; 0)) + $r.initiative) as $att
  | ($r.teamwork + $r.sharing) as $col | ($r.product_knowledge + $r.communication) as $sk
  | ((100 * (0.4 * $perf[0] / $perf[1] + 0.2 * ($att + $col + $sk) / 20)) * 100 + 0.5 | floor / 100) as $t
  | ($t | band([[90,"excellent"],[75,"good"],[60,"pass"]]; "fail")) as $grade
  | (if $grade == "excellent" then ($r.excellent_before // 0) + 1 else 0 end) as $e
  | {ok: true, total: $t, grade: $grade,
     sections: {performance: $perf[0], attitude: $att, collaboration: $col, skills: $sk},
     outputs: {bonus: (3000 * ({excellent: 1.2, good: 1, pass: 0.6, fail: 0}[$grade])),
               excellent_months: $e, fail_months: (if $grade == "fail" then ($r.fail_before // 0) + 1 else 0 end),
               promotion: ($e >= 3)}}
  end
