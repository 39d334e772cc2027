-- wrk script for bench/sms_load.py: one connection per thread, one conversation per connection.
--
-- Run as: wrk -t N -c N -s sms_load.lua URL -- <plan dir> <path> <unused port>
-- <plan dir>/conv-<i>.txt holds conversation i's requests in order, one per line:
-- "<X-Twilio-Signature>\t<urlencoded body>" (the signature is empty for the bare endpoint).
-- Each thread sends its lines one at a time, in order, and writes "<status> <latency µs>" per
-- response, plus its first-send and last-reply times, to <plan dir>/result-<i>.txt.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local ts = ffi.new("timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local items, results = {}, {}
local index, sent_at, first_at, plan_dir, path = 0, 0, nil, nil, nil
local answered, retries = true, 0

local sink
function init(args)
  plan_dir, path = args[1], args[2]
  sink = wrk.lookup("127.0.0.1", args[3])[1] -- a port nobody listens on
  for line in io.lines(plan_dir .. "/conv-" .. id .. ".txt") do
    local signature, body = line:match("^([^\t]*)\t(.*)$")
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    if signature ~= "" then headers["X-Twilio-Signature"] = signature end
    items[#items + 1] = wrk.format("POST", path, headers, body)
  end
end

function request()
  if answered then -- else wrk reconnected after a socket error: send the same text again,
    index = index + 1 -- as Twilio would (the MessageSid makes the second delivery harmless)
    sent_at = now_us()
  else
    retries = retries + 1
  end
  answered = false
  first_at = first_at or sent_at
  if index > #items then -- finished (see response): not sent anywhere that matters
    wrk.thread:stop()
    return wrk.format("POST", "/bench/bare", { ["Content-Type"] = "application/x-www-form-urlencoded" }, "x=1")
  end
  return items[index]
end

function response(status, headers, body)
  answered = true
  if index > #items then return end
  results[#results + 1] = status .. " " .. string.format("%.0f", now_us() - sent_at)
  if index == #items then
    local out = io.open(plan_dir .. "/result-" .. id .. ".txt", "w")
    out:write(string.format("%.0f %.0f %d\n", first_at, now_us(), retries))
    out:write(table.concat(results, "\n"), "\n")
    out:close()
    -- gunicorn's sync workers close every connection, so wrk reconnects at once; a sync worker
    -- that accepted that idle connection would wait on it until its timeout (30 s). Point the
    -- reconnection at a closed port instead, and stop.
    wrk.thread.addr = sink
    wrk.thread:stop()
  end
end
