-- wrk script for bench/soak.py: each request takes the next path from
-- BENCH_PATHS (space separated), each wrk thread starting at another one, and
-- done() prints the same JSON line as report.lua.
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  paths[#paths + 1] = path
end
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter * 7)
end

local n = 0
request = function()
  n = n + 1
  local index = ((n + (offset or 0)) % #paths) + 1
  return wrk.format("GET", paths[index])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
