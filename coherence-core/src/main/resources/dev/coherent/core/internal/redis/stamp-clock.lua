-- The shared clock now. KEYS[1] clock floor. Returns {now}.
local _, text = clock()
return {text}
