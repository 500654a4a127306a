-- The last update of a space. KEYS[1] clock floor, KEYS[2] the space's timestamp.
-- A missing timestamp (never updated, or lost with Redis's data) is set to the clock's now:
-- "updated now" is the only safe reading of "unknown". Returns {timestamp}.
local v = redis.call('GET', KEYS[2])
if v then return {v} end
local _, text = clock()
redis.call('SET', KEYS[2], text)
return {text}
