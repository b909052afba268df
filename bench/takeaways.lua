-- wrk script: POST /events/<slug>/talks/<talk>/takeaways with a bearer token per connection.
--
-- Run it with as many threads as connections (wrk -t32 -c32): a wrk thread with one connection
-- sends one request at a time, so thread i is connection i and uses token i (modulo the number of
-- tokens). Settings come from the environment:
--
--   TAKEAWAYS_MODE     create: every request carries a new random client_id, so each one should
--                      create a note (201);
--                      retry: a fixed set of client_ids, TAKEAWAYS_RETRY_IDS per attendee, which
--                      every connection of that attendee walks through in the same order, so
--                      several connections race on the same new note at first and retry it after;
--                      each id always comes with the same text, talk and visibility, so the service
--                      must answer 201 once per id and 200 to every repeat.
--   TAKEAWAYS_TOKENS   file, one bearer token a line
--   TAKEAWAYS_TALKS    file, one talk id a line
--   TAKEAWAYS_SLUG     the event's slug
--   TAKEAWAYS_SEED     a number that makes this run's client ids differ from other runs'
--   TAKEAWAYS_OUT      prefix of the files done() writes, one client id a line: <prefix>.acked (every
--                      client id answered 201 or 200 at least once, read from the answer's body),
--                      <prefix>.created (the client id of every 201, repeats kept: an id in it twice
--                      would be a note created twice) and <prefix>.unacked (client ids sent that
--                      never got an answer: in flight when wrk stopped)
--
-- wrk calls request() once in the first thread before starting, only to check the request it
-- builds, and never sends that one: the script leaves that call out of its counts.
--
-- done() also prints one line, "takeaways: sent=... responses=... s201=... s200=... s4xx=...
-- s5xx=...", summed over the threads; bench/takeaway_checks.py reads it.

local function lines(path)
  local found = {}
  local file = assert(io.open(path, "r"), "cannot read " .. tostring(path))
  for line in file:lines() do
    if #line > 0 then found[#found + 1] = line end
  end
  file:close()
  return found
end

-- Main state: number the threads and keep them, for done().
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

-- Thread state. The globals (sent, responses, status_counts, sent_ids, acked_ids, created_list)
-- are read by done() through thread:get, which sees only globals.
local mode, token, talks, slug, path_prefix, run_tag, verifying
local retry_ids, retry_group, retry_next = 0, 0, 0
sent, responses, status_counts, sent_ids, acked_ids, created_list = 0, 0, {}, {}, {}, {}

function init(args)
  mode = os.getenv("TAKEAWAYS_MODE") or "create"
  local tokens = lines(os.getenv("TAKEAWAYS_TOKENS"))
  talks = lines(os.getenv("TAKEAWAYS_TALKS"))
  slug = os.getenv("TAKEAWAYS_SLUG") or "cph-nlp-2025"
  path_prefix = "/events/" .. slug .. "/talks/"
  local group = thread_index % #tokens
  token = tokens[group + 1]
  retry_group = group
  retry_ids = tonumber(os.getenv("TAKEAWAYS_RETRY_IDS") or "25")
  local seed = tonumber(os.getenv("TAKEAWAYS_SEED") or "1")
  math.randomseed(seed * 1000 + thread_index + 1)
  run_tag = seed % 0x10000
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  verifying = (thread_index == 0)
end

local function r16() return math.random(0, 0xffff) end

local function random_uuid()
  return string.format("%04x%04x-%04x-4%03x-%x%03x-%04x%04x%04x",
    r16(), r16(), r16(), math.random(0, 0xfff), math.random(8, 11), math.random(0, 0xfff), r16(), r16(), r16())
end

-- The k-th fixed client id of attendee group g in this run: unique per (run, group, k).
local function retry_uuid(group, k)
  return string.format("%08x-%04x-4%03x-8000-%012x", 0x7e7e0000 + run_tag, group, 0, k)
end

function request()
  -- The first call in the first thread is wrk's check of the request, never sent.
  local counted = not verifying
  verifying = false
  if counted then sent = sent + 1 end
  local client_id, talk, text, visibility
  if mode == "retry" then
    local k = retry_next
    if counted then retry_next = (retry_next + 1) % retry_ids end
    client_id = retry_uuid(retry_group, k)
    talk = talks[(k % #talks) + 1]
    visibility = (k % 2 == 0) and "private" or "public"
    text = "retry storm note " .. retry_group .. "-" .. k
  else
    client_id = random_uuid()
    talk = talks[math.random(1, #talks)]
    visibility = (sent % 2 == 0) and "private" or "public"
    text = "takeaway " .. thread_index .. "-" .. sent .. ": the speaker's point about evaluation stuck with me."
  end
  if counted then sent_ids[client_id] = true end
  local body = '{"text":"' .. text .. '","visibility":"' .. visibility .. '","client_id":"' .. client_id .. '"}'
  return wrk.format(nil, path_prefix .. talk .. "/takeaways", nil, body)
end

function response(status, headers, body)
  responses = responses + 1
  status_counts[status] = (status_counts[status] or 0) + 1
  if status == 201 or status == 200 then
    local client_id = string.match(body, '"client_id":"([0-9a-f%-]+)"')
    if client_id then
      acked_ids[client_id] = true
      if status == 201 then created_list[#created_list + 1] = client_id end
    end
  end
end

local function write(path, values)
  local file = assert(io.open(path, "w"))
  for _, value in ipairs(values) do file:write(value, "\n") end
  file:close()
end

function done(summary, latency, requests)
  local total = { sent = 0, responses = 0, s201 = 0, s200 = 0, s4xx = 0, s5xx = 0, other = 0 }
  local acked_all, created_all, unacked_all = {}, {}, {}
  local out = os.getenv("TAKEAWAYS_OUT")
  for _, thread in ipairs(threads) do
    total.sent = total.sent + (thread:get("sent") or 0)
    total.responses = total.responses + (thread:get("responses") or 0)
    for status, n in pairs(thread:get("status_counts") or {}) do
      if status == 201 then total.s201 = total.s201 + n
      elseif status == 200 then total.s200 = total.s200 + n
      elseif status >= 500 then total.s5xx = total.s5xx + n
      elseif status >= 400 then total.s4xx = total.s4xx + n
      else total.other = total.other + n end
    end
    for id in pairs(thread:get("acked_ids") or {}) do acked_all[id] = true end
    for _, id in ipairs(thread:get("created_list") or {}) do created_all[#created_all + 1] = id end
    for id in pairs(thread:get("sent_ids") or {}) do unacked_all[id] = true end
  end
  -- Several connections share an attendee in the retry storm: an id one of them sent without an
  -- answer may have been answered on another connection.
  local acked_sorted, unacked_sorted = {}, {}
  for id in pairs(acked_all) do acked_sorted[#acked_sorted + 1] = id end
  for id in pairs(unacked_all) do
    if not acked_all[id] then unacked_sorted[#unacked_sorted + 1] = id end
  end
  table.sort(acked_sorted)
  table.sort(unacked_sorted)
  if out then
    write(out .. ".acked", acked_sorted)
    write(out .. ".created", created_all)
    write(out .. ".unacked", unacked_sorted)
  end
  io.write(string.format("takeaways: sent=%d responses=%d s201=%d s200=%d s4xx=%d s5xx=%d other=%d unacked=%d\n",
    total.sent, total.responses, total.s201, total.s200, total.s4xx, total.s5xx, total.other, #unacked_sorted))
end
