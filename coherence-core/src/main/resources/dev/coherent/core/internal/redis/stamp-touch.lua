-- Marks a space updated now without ever lowering its timestamp (a change seen afterwards, a
-- replay, a clear: none may shorten a writer's "being written until"). KEYS[1] clock, KEYS[2] the
-- space's timestamp, ARGV[1] notBefore. The timestamp becomes max(current, notBefore, clock).
-- Returns {timestamp, clock}.
local now = clock()
local best = now
local notBefore = tonumber(ARGV[1])
if notBefore > best then best = notBefore end
local current = redis.call('GET', KEYS[2])
if current and tonumber(current) > best then best = tonumber(current) end
local v = text(best)
redis.call('SET', KEYS[2], v)
return {v, text(now)}
