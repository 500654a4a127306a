-- KEYS[1] epoch, KEYS[2] sequence. ARGV[1] initial epoch. Returns {epoch, sequence or 0}.
local e = epoch_of(KEYS[1], ARGV[1])
return {e, redis.call('GET', KEYS[2]) or '0'}
