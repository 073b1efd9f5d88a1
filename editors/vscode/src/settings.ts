// Settings → what the server receives. No `vscode` import: unit-tested with `node --test`.
//
// The server reads `{"select": [...], "ignore": [...]}` from initializationOptions and from
// workspace/didChangeConfiguration. `select` replaces the configuration file's `select`, so an
// empty `plugsmith.select` is left out (the file's `select` applies); `ignore` is always sent, so
// clearing it in the settings reaches the server.

export interface PlugsmithSettings {
  select?: unknown;
  ignore?: unknown;
}

export interface ServerOptions {
  select?: string[];
  ignore: string[];
}

/** Rule codes or prefixes from an array (or a comma-separated string): trimmed, upper-case, unique. */
export function normalizeCodes(value: unknown): string[] {
  const items: unknown[] = Array.isArray(value)
    ? value
    : typeof value === "string"
      ? value.split(",")
      : [];
  const codes: string[] = [];
  for (const item of items) {
    if (typeof item !== "string") {
      continue;
    }
    for (const part of item.split(",")) {
      const code = part.trim().toUpperCase();
      if (code.length > 0 && !codes.includes(code)) {
        codes.push(code);
      }
    }
  }
  return codes;
}

/** `initializationOptions` of the initialize request. */
export function toInitializationOptions(settings: PlugsmithSettings): ServerOptions {
  const select = normalizeCodes(settings.select);
  const options: ServerOptions = { ignore: normalizeCodes(settings.ignore) };
  if (select.length > 0) {
    options.select = select;
  }
  return options;
}

/** Params of workspace/didChangeConfiguration. */
export function didChangeConfigurationParams(settings: PlugsmithSettings): { settings: ServerOptions } {
  return { settings: toInitializationOptions(settings) };
}

/** `plugsmith server` plus the user's extra arguments (non-strings dropped). */
export function serverArguments(extraArgs: unknown): string[] {
  const extra = Array.isArray(extraArgs) ? extraArgs.filter((a): a is string => typeof a === "string") : [];
  return ["server", ...extra];
}

/** Settings whose change needs a server restart (the others are sent to the running server). */
export const RESTART_SETTINGS = ["plugsmith.server.path", "plugsmith.server.args"] as const;
/** Settings sent with workspace/didChangeConfiguration. */
export const LIVE_SETTINGS = ["plugsmith.select", "plugsmith.ignore"] as const;
