-- Records an update of a space, the last write winning. KEYS[1] clock, KEYS[2] the space's
-- timestamp, ARGV[1] notBefore (decimal, below 2^53). The timestamp becomes max(notBefore,
-- clock), even below the current one (a query cache's "written at" after its "being written
-- until"). Returns {timestamp, clock}.
local now = clock()
local v = text(now)
if tonumber(ARGV[1]) > now then v = ARGV[1] end
redis.call('SET', KEYS[2], v)
return {v, text(now)}
