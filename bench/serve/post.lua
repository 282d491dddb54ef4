-- post.lua - wrk script: POST the JSON bodies of $HSC_BENCH_BODIES (one per
-- line, in turn) to $HSC_BENCH_PATH.
local bodies = {}
for line in io.lines(os.getenv("HSC_BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local path = os.getenv("HSC_BENCH_PATH")
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  i = i % #bodies + 1
  return wrk.format(nil, path, nil, bodies[i])
end
