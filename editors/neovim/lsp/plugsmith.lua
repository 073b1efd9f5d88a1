---@brief
--- plugsmith: diagnostics for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub plugins.
---
--- Neovim 0.11+: copy this file to `~/.config/nvim/lsp/plugsmith.lua` (or put this folder on
--- 'runtimepath'), then
---
--- ```lua
--- vim.lsp.enable('plugsmith')
--- -- optional: rule selection, sent as initializationOptions
--- vim.lsp.config('plugsmith', { init_options = { select = { 'KIL', 'PAN' }, ignore = { 'PAN010' } } })
--- ```
---
--- `.panoptes-plugin` and `VERSION` files have no filetype by default; give them one:
---
--- ```lua
--- vim.filetype.add({ extension = { ['panoptes-plugin'] = 'dosini' }, filename = { VERSION = 'text' } })
--- ```

---@type vim.lsp.Config
return {
  cmd = { 'plugsmith', 'server' },
  filetypes = {
    'python',
    'json',
    'jsonc',
    'yaml',
    'toml',
    'dosini', -- *.ini, setup.cfg, and *.panoptes-plugin with the vim.filetype.add() above
    'confini',
    'cfg',
    'requirements', -- requirements*.txt
    'text', -- VERSION with the vim.filetype.add() above
  },
  root_markers = { 'plugsmith.toml', 'pyproject.toml', 'plugin_info.json', 'setup.cfg', '.git' },
  -- { select = { ... }, ignore = { ... } }: `select` replaces the configuration file's,
  -- `ignore` is added to it. Empty: plugsmith.toml / [tool.plugsmith] decide.
  init_options = { ignore = {} },
}
