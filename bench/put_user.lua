-- PUT /api/v1/settings/user with one field, a new value every request.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"workflow":{"copilot_polling_interval":' .. (counter % 86400) .. '}}'
  return wrk.format(nil, nil, nil, body)
end
