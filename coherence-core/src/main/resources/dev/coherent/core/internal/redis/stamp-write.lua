-- Records an update of a space. KEYS[1] clock floor, KEYS[2] the space's timestamp,
-- ARGV[1] notBefore (decimal, below 2^53). The timestamp becomes max(notBefore, clock now),
-- even below the current one: the last write wins. Returns {timestamp}.
local now, text = clock()
local notBefore = tonumber(ARGV[1])
if notBefore > now then text = ARGV[1] end
redis.call('SET', KEYS[2], text)
return {text}
