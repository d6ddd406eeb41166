-- wrk script for T1/T2: POSTs collect bodies with unique event ids, like a tracker would.
-- Environment: T1_KEY (tracking key), T1_EVENTS (events per request), T1_RUN (a run id).
local key = os.getenv("T1_KEY") or "trk_live_missing"
local per_request = tonumber(os.getenv("T1_EVENTS") or "1")
local run = os.getenv("T1_RUN") or "run"
local threads = 0
local prefix = ""
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  prefix = run .. "-" .. tostring(thread_id)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
wrk.headers["Origin"] = "https://shop.example.com"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
  .. "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

local template = '{"event_id":"%s-%d-%d","type":"page_view","anonymous_id":"v-%s-%d",'
  .. '"session_id":"s-%s-%d","timestamp":%d,'
  .. '"url":"https://shop.example.com/products/%d?utm_source=google&utm_medium=cpc'
  .. '&utm_campaign=spring&gclid=Cj0KCQ%d","referrer":"https://www.google.com/",'
  .. '"title":"Product %d - Example Shop"}'

function request()
  counter = counter + 1
  local now = os.time() * 1000
  local visitor = counter % 5000
  local events = {}
  for i = 1, per_request do
    events[i] = string.format(template, prefix, counter, i, prefix, visitor, prefix, visitor,
      now, i, counter, i)
  end
  local body = '{"tracking_key":"' .. key .. '","events":[' .. table.concat(events, ",") .. "]}"
  return wrk.format(nil, "/api/tracking/collect", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,'
      .. '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
