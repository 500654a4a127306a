-- Shared by the update-timestamp scripts. KEYS[1] is the scope's clock floor.
-- The shared clock: Redis's TIME in microseconds, never at or below the floor (so it never goes
-- backwards across a clock step, or a restart or failover that kept the floor). Microseconds
-- since 1970 stay below 2^53, exact in Lua's numbers; they are written with %.0f, never %g.
local function clock()
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local floor = tonumber(redis.call('GET', KEYS[1]) or '0')
  if now <= floor then now = floor + 1 end
  local text = string.format('%.0f', now)
  redis.call('SET', KEYS[1], text)
  return now, text
end
