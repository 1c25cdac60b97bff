-- wrk: POST /v1/push to one user's tag (each reaches one device).
local token = os.getenv("PUSHSYNC_API_TOKEN")
local n = 0
request = function()
  n = n + 1
  local body = '{"tags":["user:' .. (n % 1000) .. '"],"data":{"sources":"all"}}'
  return wrk.format("POST", "/v1/push",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
