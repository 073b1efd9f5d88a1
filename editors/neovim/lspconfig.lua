-- plugsmith with nvim-lspconfig on Neovim 0.8 - 0.10 (Neovim 0.11+: use lsp/plugsmith.lua and
-- vim.lsp.enable('plugsmith') instead). Put this in your init.lua.
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

vim.filetype.add({ extension = { ['panoptes-plugin'] = 'dosini' }, filename = { VERSION = 'text' } })

if not configs.plugsmith then
  configs.plugsmith = {
    default_config = {
      cmd = { 'plugsmith', 'server' },
      filetypes = { 'python', 'json', 'jsonc', 'yaml', 'toml', 'dosini', 'confini', 'cfg', 'requirements', 'text' },
      root_dir = util.root_pattern('plugsmith.toml', 'pyproject.toml', 'plugin_info.json', 'setup.cfg', '.git'),
      single_file_support = true,
      init_options = { ignore = {} },
    },
  }
end

require('lspconfig').plugsmith.setup({
  -- init_options = { select = { 'KIL' }, ignore = { 'KIL010' } },
})
