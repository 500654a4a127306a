-- Shared by the update-timestamp scripts. KEYS[1] is the scope's clock: "<floor> <offset>".
-- The shared clock: Redis's TIME in microseconds plus an offset, never at or below the floor.
-- When TIME goes backwards (a clock step, a failover to a host that is behind) the offset grows
-- so that the clock goes on from the floor at TIME's rate instead of stalling there. Every call
-- writes the floor, so a script that only reads still fails where writes fail (OOM, a replica).
-- Microseconds since 1970 stay below 2^53, exact in Lua's numbers; they are written with %.0f.
local function clock()
  local t = redis.call('TIME')
  local raw = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local floor, offset = 0, 0
  local state = redis.call('GET', KEYS[1])
  if state then
    local f, o = string.match(state, '^(%d+) (%d+)$')
    floor, offset = tonumber(f), tonumber(o)
  end
  local now = raw + offset
  if now <= floor then
    offset = offset + floor + 1 - now
    now = floor + 1
  end
  redis.call('SET', KEYS[1], string.format('%.0f %.0f', now, offset))
  return now
end

local function text(n)
  return string.format('%.0f', n)
end
