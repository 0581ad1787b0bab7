-- wrk script: POST one body (file named by GAP_BODY) as a GLPI agent does, and print a
-- machine-readable result line at the end.
local f = assert(io.open(os.getenv("GAP_BODY"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("GAP_CONTENT_TYPE") or "application/x-compress-zlib"
wrk.headers["GLPI-Agent-ID"] = os.getenv("GAP_AGENT_ID")
wrk.headers["User-Agent"] = "GLPI-Agent_v1.12-dev"
wrk.headers["Pragma"] = "no-cache"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "GAP_RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
