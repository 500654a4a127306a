-- invalidateAll: bump the epoch, INCR the sequence, PUBLISH one EPOCH hint.
-- KEYS[1] epoch, KEYS[2] sequence. ARGV[1] initial epoch, ARGV[2] channel, ARGV[3..5] hint parts.
-- Returns {new epoch, sequence}.
epoch_of(KEYS[1], ARGV[1])
local e = redis.call('INCR', KEYS[1])
local s = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2],
  ARGV[3] .. string.format('%d', e) .. ARGV[4] .. string.format('%d', s) .. ARGV[5])
return {e, s}
