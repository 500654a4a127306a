-- The namespace's L2 synchronisation point: a change-log transaction id such that L2 holds no
-- entry older than any change-log row of the namespace from a transaction below it.
-- KEYS[1] synced. ARGV[1] an id to advance it to (kept only if higher), or '' to only read it.
-- ARGV[2] the highest id the caller knows it had, or '': a point below it, or none, means Redis
-- lost writes (a restore, a failover, an eviction), and then the point is left as it is for the
-- caller to replay from (or to bump the epoch, when there is none).
-- Returns {value before, value after}, '' where it was never set.
local before = redis.call('GET', KEYS[1])
local after = before
local regressed = ARGV[2] ~= '' and (not before or cmp(before, ARGV[2]) < 0)
if ARGV[1] ~= '' and not regressed and (not before or cmp(ARGV[1], before) > 0) then
  redis.call('SET', KEYS[1], ARGV[1])
  after = ARGV[1]
end
return {before or '', after or ''}
