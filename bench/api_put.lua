-- wrk: PUT /v1/installations/{unique id}, an FCM device with two tags.
local token = os.getenv("PUSHSYNC_API_TOKEN")
local n = 0
local thread_tag = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  local id = "bench-" .. thread_tag .. "-" .. n
  local body = '{"platform":"fcm","pushChannel":"tok-' .. id .. '","tags":["user:' .. (n % 1000) .. '","team:' .. (n % 10) .. '"]}'
  return wrk.format("PUT", "/v1/installations/" .. id,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
