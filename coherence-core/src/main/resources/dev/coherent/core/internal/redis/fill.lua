-- A cache fill: never publishes. KEYS[1] epoch, KEYS[2..] entries.
-- ARGV[1] expected epoch, ARGV[2] initial epoch, then per entry: encoded entry, ttl ms.
-- Returns {0, epoch} when the epoch differs, else {1, epoch, applied flags...}.
local e = epoch_of(KEYS[1], ARGV[2])
if e ~= ARGV[1] then return {0, e} end
local applied = store(KEYS, 2, ARGV, 3)
local result = {1, e}
for i = 1, #applied do result[i + 2] = applied[i] end
return result
