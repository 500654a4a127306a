-- A write after a commit: CAS-store values or tombstones, INCR the sequence, PUBLISH one hint.
-- KEYS[1] epoch, KEYS[2] sequence, KEYS[3..] entries.
-- ARGV[1] expected epoch, ARGV[2] initial epoch, ARGV[3] channel, ARGV[4..6] hint head, middle,
-- tail (the hint is head .. epoch .. middle .. sequence .. tail), then per entry: entry, ttl ms.
-- Returns {0, epoch} when the epoch differs, else {1, epoch, sequence, applied flags...}.
local e = epoch_of(KEYS[1], ARGV[2])
if e ~= ARGV[1] then return {0, e} end
local applied = store(KEYS, 3, ARGV, 7)
local s = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4] .. e .. ARGV[5] .. string.format('%d', s) .. ARGV[6])
local result = {1, e, s}
for i = 1, #applied do result[i + 3] = applied[i] end
return result
