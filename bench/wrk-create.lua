-- POST /v1/environments with a unique name per request (names are unique per account).
local counter = 0
thread_id = 0  -- set per thread by setup(); must be a global for thread:set to reach it
local threads = {}

setup = function(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"name":"bench-%s-%d-%d","config":{"type":"cloud","networking":{"type":"limited","allow_package_managers":true},' ..
    '"packages":{"apt":["jq"],"pip":["pandas==2.1.0"],"npm":["typescript@5.0.0"]}}}',
    os.getenv("BENCH_RUN") or "0", thread_id, counter)
  return wrk.format("POST", "/v1/environments", nil, body)
end

-- The summary line is the same as for the GET runs.
dofile("bench/wrk-report.lua")
