-- The shared clock now. KEYS[1] clock. Returns {now}.
return {text(clock())}
