-- The last update of a space. KEYS[1] clock, KEYS[2] the space's timestamp, ARGV[1] the reader's
-- lower bound of the clock. A missing timestamp (never updated, or lost with Redis's data) is set
-- to max(clock, ARGV[1]): "updated now" is the only safe reading of "unknown", and the reader's
-- bound covers a clock that lost its floor. Returns {timestamp, clock}.
local now = clock()
local v = redis.call('GET', KEYS[2])
if v then return {v, text(now)} end
local notBefore = tonumber(ARGV[1])
if notBefore > now then v = ARGV[1] else v = text(now) end
redis.call('SET', KEYS[2], v)
return {v, text(now)}
