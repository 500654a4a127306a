-- Shared by every Coherent script. Entries are "<version>|<kind>|<payload>" where kind is
-- V (value), N (not found) or T (tombstone: every version below <version> is invalid).
-- Versions are compared as decimal strings (exact for every non-negative 64-bit long).
local function cmp(a, b)
  if #a ~= #b then
    if #a < #b then return -1 else return 1 end
  end
  if a == b then return 0 end
  if a < b then return -1 else return 1 end
end

local function parse(s)
  if not s then return nil, nil end
  return string.match(s, '^(%d+)|(%u)|')
end

-- What to do with an entry of version nv and kind nk given what the key holds now:
-- 1 write it (newer; or a value at the version of a tombstone, since "invalid below v" does not
-- exclude v itself), 2 nothing (an equal entry is there), 0 refuse (older than what is there).
local function decide(current, nv, nk)
  local cv, ck = parse(current)
  if not cv then return 1 end
  local c = cmp(nv, cv)
  if c > 0 then return 1 end
  if c < 0 then return 0 end
  if ck == nk then return 2 end
  if ck == 'T' then return 1 end
  return 0
end

-- The namespace epoch, created on first use with an instance-chosen start value (a timestamp),
-- so that a Redis that lost its data comes back with a different epoch.
local function epoch_of(key, initial)
  local e = redis.call('GET', key)
  if not e then
    redis.call('SET', key, initial, 'NX')
    e = redis.call('GET', key)
  end
  return e
end

local function store(keys, first_key, argv, first_arg)
  local applied = {}
  for i = first_key, #keys do
    local j = first_arg + 2 * (i - first_key)
    local entry = argv[j]
    local nv, nk = parse(entry)
    local d = 0
    if nv then d = decide(redis.call('GET', keys[i]), nv, nk) end
    if d == 1 then redis.call('SET', keys[i], entry, 'PX', argv[j + 1]) end
    -- An equal tombstone lives at least as long as the one asked for (an evict's short-lived
    -- tombstone must not cut short a real invalidation of the same version that comes later).
    if d == 2 and nk == 'T' then
      local left = redis.call('PTTL', keys[i])
      if left >= 0 and left < tonumber(argv[j + 1]) then
        redis.call('PEXPIRE', keys[i], argv[j + 1])
      end
    end
    applied[#applied + 1] = d
  end
  return applied
end
