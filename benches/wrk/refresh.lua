-- Refresh token rotation under load: each response brings the refresh token for a
-- later request. Each thread owns its share of the token file (TOKENS, at least one
-- token per connection), so no token is ever presented twice.
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  pool = {}
  local threads = tonumber(os.getenv("THREADS"))
  local n = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if n % threads == id then
      table.insert(pool, line)
    end
    n = n + 1
  end
  auth = os.getenv("AUTH")
end

function request()
  local token = table.remove(pool, 1) or "pool-exhausted"
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  local token = string.match(body, '"refresh_token":"([^"]+)"')
  if token then
    table.insert(pool, token)
  end
end
