-- KEYS[1] epoch, KEYS[2..] entries under the expected epoch.
-- ARGV[1] expected epoch, ARGV[2] initial epoch.
-- Returns {epoch} when the epoch differs, else {epoch, entry or nil, ...}.
local e = epoch_of(KEYS[1], ARGV[2])
if e ~= ARGV[1] then return {e} end
local result = {e}
for i = 2, #KEYS do
  result[i] = redis.call('GET', KEYS[i]) or false
end
return result
