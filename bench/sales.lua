-- sales.lua — the 销售表现考核表 (templates/sales.rubric) scored the way a fast
-- script would do it: LuaJIT + lua-cjson, binary floating point, the same
-- validation of types and ranges, the same bands, weights, grade and outputs.
-- It writes a short result (record, ok, total, grade, section scores,
-- outputs, errors): about a quarter of rubric's full SPEC §8 result.  The
-- baseline `make bench` compares rubric against; it implements only this form.
local cjson = require("cjson")
cjson.encode_number_precision(14)
local floor = math.floor

local function band(x, arms, default)
  for i = 1, #arms, 2 do if x >= arms[i] then return arms[i + 1] end end
  return default
end
local COMPLETION = {1.2, 20, 1.1, 18, 1.0, 16, 0.9, 12, 0.8, 8, 0.6, 4}
local GROWTH = {0.2, 10, 0.1, 8, 0, 6, -0.1, 3}
local ATTENDANCE = {1.0, 10, 0.95, 8, 0.9, 6, 0.8, 3}
local GRADES = {90, "excellent", 75, "good", 60, "pass"}
local BONUS = {excellent = 1.2, good = 1.0, pass = 0.6, fail = 0}
local KNOWN = {}
for _, k in ipairs({"name", "month", "monthly_sales", "plan", "last_year", "attended", "workdays",
                    "initiative", "teamwork", "sharing", "product_knowledge", "communication",
                    "excellent_before", "fail_before"}) do KNOWN[k] = true end

local function score(rec)
  local errors = {}
  local function num(k, lo, hi, int, optional, default)
    local v = rec[k]
    if v == nil or v == cjson.null then
      if default then return default end
      if not optional then errors[#errors + 1] = {path = k, code = "missing"} end
      return nil
    end
    if type(v) ~= "number" or (int and v ~= floor(v)) then
      errors[#errors + 1] = {path = k, code = "type"}; return nil
    end
    if (lo and v < lo) or (hi and v > hi) then errors[#errors + 1] = {path = k, code = "range"} end
    return v
  end
  for k in pairs(rec) do if not KNOWN[k] then errors[#errors + 1] = {path = k, code = "unknown"} end end
  local ms, plan = num("monthly_sales", 0), num("plan", 1e-300)
  local ly = num("last_year", 1e-300, nil, false, true)
  local att, wd = num("attended", 0, nil, true), num("workdays", 1, 31, true)
  local r = {}
  for _, k in ipairs({"initiative", "teamwork", "sharing", "product_knowledge", "communication"}) do
    r[k] = num(k, 1, 10, true)
  end
  local eb, fb = num("excellent_before", 0, nil, true, true, 0), num("fail_before", 0, nil, true, true, 0)
  if att and wd and att > wd then errors[#errors + 1] = {path = "", code = "check"} end
  if #errors > 0 then return {ok = false, errors = errors} end
  local growth = ly and (ms - ly) / ly or 0
  local perf_full, perf = 20, band(ms / plan, COMPLETION, 0)
  if ly then perf_full, perf = 30, perf + band(growth, GROWTH, 0) end
  local att_s = band(att / wd, ATTENDANCE, 0) + r.initiative
  local collab = r.teamwork + r.sharing
  local skills = r.product_knowledge + r.communication
  local total = 100 * (0.4 * perf / perf_full + 0.2 * att_s / 20 + 0.2 * collab / 20 + 0.2 * skills / 20)
  total = floor(total * 100 + 0.5) / 100
  local grade = band(total, GRADES, "fail")
  local erun = grade == "excellent" and eb + 1 or 0
  local frun = grade == "fail" and fb + 1 or 0
  return {ok = true, total = total, grade = grade,
          sections = {performance = perf, attitude = att_s, collaboration = collab, skills = skills},
          outputs = {bonus = 3000 * BONUS[grade], excellent_months = erun, fail_months = frun,
                     promotion = erun >= 3}}
end

local out, n = {}, 0
for line in io.lines(arg[1]) do
  n = n + 1
  local ok, rec = pcall(cjson.decode, line)
  local res
  if ok and type(rec) == "table" then res = score(rec) else res = {ok = false, errors = {{code = "syntax"}}} end
  res.record = n
  out[#out + 1] = cjson.encode(res)
  if #out == 1024 then io.write(table.concat(out, "\n"), "\n"); out = {} end
end
if #out > 0 then io.write(table.concat(out, "\n"), "\n") end
