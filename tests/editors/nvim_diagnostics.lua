-- Headless Neovim (0.7 .. 0.11+) as an LSP client of `plugsmith server`: opens files, waits for
-- the diagnostics to arrive and settle, optionally edits a line (didChange) and waits again, and
-- writes what Neovim shows as JSON. Adapted from research/ecosystem.md section 2.1.
--
--   PLUGSMITH_BIN=target/debug/plugsmith PLUGSMITH_ROOT=<workspace> PLUGSMITH_OUT=out.json \
--   PLUGSMITH_EXPECT=<file>,<file> nvim --headless --clean -c "luafile nvim_diagnostics.lua" -- FILES
--
-- Environment:
--   PLUGSMITH_BIN           the server binary (default target/debug/plugsmith), run as `BIN server --stdio`
--   PLUGSMITH_ROOT          root_dir / workspace folder (default: the current directory)
--   PLUGSMITH_EXPECT        comma-separated FILE or FILE=N: wait until FILE shows at least N (default 1)
--                           diagnostics (a server may publish in several rounds), then until they settle
--   PLUGSMITH_CONFIG        a vim.lsp.Config file (editors/neovim/lsp/plugsmith.lua): its cmd arguments
--                           and init_options are used, with cmd[1] replaced by PLUGSMITH_BIN
--   PLUGSMITH_INIT_OPTIONS  JSON initializationOptions, e.g. {"ignore": ["PAN003"]}
--   PLUGSMITH_EDIT          JSON {"file": F, "line": N (1-based), "text": T, "count": C}: replace a
--                           line, then wait for F's diagnostics to change (and number C, when given);
--                           reported under "after"
--   PLUGSMITH_TIMEOUT_MS    per wait (default 60000; debug builds on a busy machine)
--   PLUGSMITH_SETTLE_MS     how long diagnostics must stay unchanged (default 1500)
--   PLUGSMITH_OUT           where to write the JSON report (default: stdout)
-- Exit status: 0 when the report was written (the caller checks its content), 1 otherwise.

local function env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then
    return default
  end
  return value
end

local timeout = tonumber(env("PLUGSMITH_TIMEOUT_MS", "60000"))
local settle = tonumber(env("PLUGSMITH_SETTLE_MS", "1500"))
local now = (vim.uv or vim.loop).now

local function write_report(report)
  local text = vim.fn.json_encode(report)
  local path = env("PLUGSMITH_OUT", nil)
  if path then
    local file = assert(io.open(path, "w"))
    file:write(text)
    file:close()
  else
    io.stdout:write(text .. "\n")
  end
end

local function diagnostics_of(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(out, {
      line = d.lnum + 1,
      col = d.col + 1,
      end_line = (d.end_lnum or d.lnum) + 1,
      end_col = (d.end_col or d.col) + 1,
      code = code and tostring(code) or vim.NIL,
      severity = vim.diagnostic.severity[d.severity],
      message = d.message,
      source = d.source or vim.NIL,
    })
  end
  table.sort(out, function(a, b)
    if a.line ~= b.line then
      return a.line < b.line
    end
    if a.col ~= b.col then
      return a.col < b.col
    end
    return tostring(a.code) < tostring(b.code)
  end)
  return out
end

local function signature(buffers)
  local parts = {}
  for _, entry in ipairs(buffers) do
    for _, d in ipairs(diagnostics_of(entry.bufnr)) do
      table.insert(parts, ("%s:%d:%d:%s"):format(entry.file, d.line, d.col, tostring(d.code)))
    end
  end
  return table.concat(parts, "|")
end

-- Waits until `ready()` holds, then until the diagnostics of `buffers` stop changing.
local function wait_settled(buffers, ready)
  local ok = vim.wait(timeout, ready, 50)
  local last, since = signature(buffers), now()
  vim.wait(timeout, function()
    local current = signature(buffers)
    if current ~= last then
      last, since = current, now()
    end
    return now() - since >= settle
  end, 50)
  return ok
end

local function snapshot(buffers)
  local result = {}
  for _, entry in ipairs(buffers) do
    result[entry.file] = diagnostics_of(entry.bufnr)
  end
  return result
end

local function main()
  local bin = env("PLUGSMITH_BIN", "target/debug/plugsmith")
  local root = env("PLUGSMITH_ROOT", vim.fn.getcwd())
  local init_options = nil
  if env("PLUGSMITH_INIT_OPTIONS", nil) then
    init_options = vim.fn.json_decode(env("PLUGSMITH_INIT_OPTIONS", nil))
  end
  local config = {
    name = "plugsmith",
    cmd = { bin, "server", "--stdio" },
    root_dir = root,
    init_options = init_options,
  }
  local config_file = env("PLUGSMITH_CONFIG", nil)
  if config_file then
    local base = dofile(config_file)
    assert(type(base) == "table" and type(base.cmd) == "table", config_file .. " does not return a vim.lsp.Config")
    config.cmd = { bin }
    for i = 2, #base.cmd do
      table.insert(config.cmd, base.cmd[i])
    end
    if init_options == nil then
      config.init_options = base.init_options
    end
  end
  local report = {
    nvim = tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch),
    cmd = config.cmd,
    timeouts = {},
  }

  local client_id
  local function attach(bufnr)
    if vim.lsp.start then -- 0.8+: start or reuse, and attach
      client_id = vim.lsp.start(config, { bufnr = bufnr })
    else -- 0.7
      client_id = client_id or vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(bufnr, client_id)
    end
    assert(client_id, "could not start " .. table.concat(config.cmd, " "))
  end

  local buffers = {}
  local function absolute(file)
    return vim.fn.fnamemodify(file, ":p")
  end
  for _, arg in ipairs(vim.fn.argv()) do
    local file = absolute(arg)
    vim.cmd("edit " .. vim.fn.fnameescape(file))
    local bufnr = vim.api.nvim_get_current_buf()
    attach(bufnr)
    table.insert(buffers, { file = file, bufnr = bufnr })
  end

  local expected = {}
  for item in string.gmatch(env("PLUGSMITH_EXPECT", ""), "[^,]+") do
    local file, count = string.match(item, "^(.-)=(%d+)$")
    expected[absolute(file or item)] = tonumber(count or "1")
  end
  local function missing(entry)
    return expected[entry.file] ~= nil and #vim.diagnostic.get(entry.bufnr) < expected[entry.file]
  end
  local function ready()
    for _, entry in ipairs(buffers) do
      if missing(entry) then
        return false
      end
    end
    return true
  end
  if not wait_settled(buffers, ready) then
    for _, entry in ipairs(buffers) do
      if missing(entry) then
        table.insert(report.timeouts, entry.file)
      end
    end
  end
  report.diagnostics = snapshot(buffers)

  local edit = env("PLUGSMITH_EDIT", nil)
  if edit then
    edit = vim.fn.json_decode(edit)
    edit.file = absolute(edit.file)
    local target
    for _, entry in ipairs(buffers) do
      if entry.file == edit.file then
        target = entry
      end
    end
    assert(target, "PLUGSMITH_EDIT: " .. edit.file .. " is not open")
    local before = signature({ target })
    vim.api.nvim_buf_set_lines(target.bufnr, edit.line - 1, edit.line, false, { edit.text })
    local function changed()
      return signature({ target }) ~= before
        and (edit.count == nil or #vim.diagnostic.get(target.bufnr) == edit.count)
    end
    if not wait_settled(buffers, changed) then
      table.insert(report.timeouts, edit.file .. " (after edit)")
    end
    report.after = snapshot(buffers)
  end

  vim.lsp.stop_client(client_id) -- the same call on 0.7 .. 0.11 (client.stop vs client:stop differ)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  write_report(report)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  pcall(write_report, { error = tostring(err) })
  io.stderr:write(tostring(err) .. "\n")
  vim.cmd("cq")
else
  vim.cmd("qa!")
end
