-- wrk script: single-item enforce requests over 10,000 rate keys, the same
-- load as `headroom bench --batch 1`. Usage (see BENCHMARKS.md):
--   HEADROOM_TOKEN=... wrk -t2 -c16 -d10s -s bench/enforce.lua http://127.0.0.1:7421
local token = os.getenv("HEADROOM_TOKEN") or ""
local account = os.getenv("BENCH_ACCOUNT") or "999900000001"
local counter = 0

request = function()
  counter = counter + 1
  local body = '{"items":[{"op":"take","account":"' .. account ..
    '","code":"HR-PARTICIPANT-SEND-MESSAGE-RATE","scope":"instance/i-' .. (counter % 10000) .. '","amount":1}]}'
  return wrk.format("POST", "/v1/enforce", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    wrk.thread:stop()
  end
end
