-- wrk script: POST findOne by _id on stargrad.bench with ids spread over the loaded range.
local n = tonumber(os.getenv("BENCH_DOCS") or "10000")
local counter = 0
request = function()
  counter = counter + 1
  local id = (counter * 7919) % n
  local body = '{"database":"stargrad","collection":"bench","filter":{"_id":' .. id .. '}}'
  return wrk.format("POST", "/api/v1/action/findOne", {["Content-Type"] = "application/json"}, body)
end
