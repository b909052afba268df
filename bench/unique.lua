-- wrk script: every request gets its own throwaway query parameter, `bench-nonce=<thread>-<n>`.
--
-- The schedule's ETag covers the query, so no two requests share one: no cached body and no
-- render already in flight (the service renders a body once for all requests that ask for it at
-- the same moment, with or without the cache) can answer them, and every request renders. The
-- service ignores the parameter otherwise; `python -m bench schedule` and `feeds` check that the body
-- is the same.
--
--   wrk -s bench/unique.lua http://127.0.0.1:18765/events/bench-100/schedule

local threads = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

local sent = 0

function request()
  sent = sent + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  local path = wrk.path .. separator .. "bench-nonce=" .. thread_id .. "-" .. sent
  return wrk.format(nil, path)
end
