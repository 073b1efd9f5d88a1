// `plugsmith: Run Plugin Locally`: the choices offered, the server command's arguments, the CLI
// fallback and the summary of the result. No `vscode` import: unit-tested with `node --test`.

export type Platform = "kili" | "panoptes" | "supervisely" | "flowdapt" | "archihub";

/** The server command that runs a plugin (workspace/executeCommand). */
export const RUN_COMMAND = "plugsmith.runPlugin";

export interface EventChoice {
  /** Passed as `event`; undefined = the platform's default entry. */
  event?: string;
  label: string;
  description?: string;
}

export interface RunRequest {
  /** Absolute path of the plugin file or folder. */
  path: string;
  event?: string;
  /** A sample input file chosen by the user (undefined = the bundled sample). */
  input?: string;
  /** From a code lens: the platform the server detected. */
  platform?: string;
  /** From a Flowdapt code lens: the workflow file to run. */
  workflow?: string;
}

export interface RunCommandArgument {
  path: string;
  event?: string;
  input?: string;
  platform?: string;
  workflow?: string;
}

/**
 * The request a server code lens carries (`{path, event?, platform?, workflow?}`, as
 * `textDocument/codeLens` puts it in the command's arguments), or undefined when the command
 * was started otherwise (palette: no argument; explorer: a file URI).
 */
export function lensRequest(argument: unknown): RunRequest | undefined {
  if (typeof argument !== "object" || argument === null || Array.isArray(argument)) {
    return undefined;
  }
  const fields = argument as Record<string, unknown>;
  if (typeof fields.path !== "string" || fields.path.length === 0) {
    return undefined;
  }
  const text = (key: string) => (typeof fields[key] === "string" ? (fields[key] as string) : undefined);
  return { path: fields.path, event: text("event"), input: text("input"), platform: text("platform"), workflow: text("workflow") };
}

const KILI_HANDLERS: Record<string, string> = {
  on_submit: "submit",
  on_review: "review",
  on_custom_interface_click: "custom_interface_click",
  on_send_back_to_queue: "send_back_to_queue",
};

/** A guess from the file name and text, only to offer the right events (the server decides). */
export function guessPlatform(fileName: string, text: string): Platform | undefined {
  const base = fileName.replace(/\\/g, "/").split("/").pop() ?? fileName;
  if (base.endsWith(".panoptes-plugin") || /\byahoo_panoptes\b|\bpanoptes\.framework\b/.test(text)) {
    return "panoptes";
  }
  if (/\bfrom\s+kili\b|\bimport\s+kili\b|\bPluginCore\b|@on_kili_event/.test(text)) {
    return "kili";
  }
  if (/\bflowdapt\b/.test(text) || /^\s*kind:\s*workflow\b/im.test(text)) {
    return "flowdapt";
  }
  if (/\barchihub\b/i.test(text) || /\bplugin_info\s*=/.test(text)) {
    return "archihub";
  }
  if (base === "plugin_info.json" || base === "VERSION" || /\bsupervisely\b|\bimport\s+sly\b|\bsly\./.test(text)) {
    return "supervisely";
  }
  return undefined;
}

function uniquePush(choices: EventChoice[], choice: EventChoice): void {
  if (!choices.some((c) => c.event === choice.event)) {
    choices.push(choice);
  }
}

/** The events/entries offered in the QuickPick: the default first, then what the file defines. */
export function eventChoices(platform: Platform | undefined, text: string): EventChoice[] {
  const choices: EventChoice[] = [{ label: "Default entry", description: "what the platform runs by default" }];
  switch (platform) {
    case "kili": {
      for (const match of text.matchAll(/^\s*(?:async\s+)?def\s+(on_\w+)\s*\(/gm)) {
        const event = KILI_HANDLERS[match[1]];
        if (event !== undefined) {
          uniquePush(choices, { event, label: event, description: `${match[1]}()` });
        }
      }
      for (const match of text.matchAll(/@on_kili_event\s*\(\s*(?:[\w.]+\s*=\s*)?["']([^"']+)["']/g)) {
        uniquePush(choices, { event: match[1], label: match[1], description: "@on_kili_event" });
      }
      for (const [handler, event] of Object.entries(KILI_HANDLERS)) {
        uniquePush(choices, { event, label: event, description: `${handler}()` });
      }
      break;
    }
    case "supervisely":
      for (const event of ["main", "train", "inference"]) {
        uniquePush(choices, { event, label: event });
      }
      break;
    case "archihub": {
      uniquePush(choices, { event: "bulk", label: "bulk", description: "ArchiHub's default task" });
      for (const match of text.matchAll(/^\s*def\s+(\w+)\s*\(\s*self\b/gm)) {
        if (!match[1].startsWith("_")) {
          uniquePush(choices, { event: match[1], label: match[1], description: "task" });
        }
      }
      break;
    }
    case "flowdapt":
      for (const match of text.matchAll(/^\s*-\s*name:\s*["']?([\w.-]+)["']?\s*$/gm)) {
        uniquePush(choices, { event: match[1], label: match[1], description: "stage" });
      }
      break;
    default:
      break;
  }
  return choices;
}

/** Which JSON samples make sense as input, by file name (the bundled one is always offered first). */
export function isSampleCandidate(relativePath: string): boolean {
  const p = relativePath.replace(/\\/g, "/");
  if (/(^|\/)(node_modules|\.venv|venv|\.git|target)\//.test(p)) {
    return false;
  }
  const base = p.split("/").pop() ?? p;
  if (["package.json", "package-lock.json", "tsconfig.json", "plugin_info.json", "config.json"].includes(base)) {
    return false;
  }
  return base.endsWith(".json");
}

/** The arguments of `workspace/executeCommand` `plugsmith.runPlugin`: one object. */
export function runCommandArguments(request: RunRequest): [RunCommandArgument] {
  const argument: RunCommandArgument = { path: request.path };
  if (request.event !== undefined && request.event.length > 0) {
    argument.event = request.event;
  }
  if (request.input !== undefined && request.input.length > 0) {
    argument.input = request.input;
  }
  if (request.platform !== undefined && request.platform.length > 0) {
    argument.platform = request.platform;
  }
  if (request.workflow !== undefined && request.workflow.length > 0) {
    argument.workflow = request.workflow;
  }
  return [argument];
}

/** The option of `plugsmith run` that takes the sample input, per platform. */
export function inputOption(platform: Platform | undefined): string | undefined {
  switch (platform) {
    case "kili":
      return "--label";
    case "panoptes":
      return "--resource";
    case "archihub":
      return "--body";
    case "flowdapt":
      return "--input";
    case "supervisely":
      return "--config";
    default:
      return undefined;
  }
}

/** `plugsmith run PATH [--event E] [--platform P] [--<input> FILE]` (for a terminal/task). */
export function runCliArguments(
  request: RunRequest,
  platform?: Platform,
  outputFormat: "text" | "json" = "text",
): string[] {
  const args = ["run", request.path];
  if (request.event) {
    args.push("--event", request.event);
  }
  if (platform) {
    args.push("--platform", platform);
  }
  const option = inputOption(platform);
  if (request.input && option) {
    args.push(option, request.input);
  }
  if (outputFormat === "json") {
    args.push("--output-format", "json");
  }
  return args;
}

export interface RunSummary {
  ok: boolean;
  /** One line for the notification. */
  message: string;
  /** The full result, pretty-printed, for the output channel. */
  details: string;
}

/** Summarises the server command's result (a `plugsmith run --output-format json` report). */
export function summarizeResult(result: unknown): RunSummary {
  const details = typeof result === "string" ? result : JSON.stringify(result, null, 2) ?? "null";
  if (result === null || typeof result !== "object") {
    return { ok: false, message: "plugsmith run: the server returned no report", details };
  }
  const report = result as Record<string, unknown>;
  const status = typeof report.status === "string" ? report.status : "unknown";
  const parts = [`plugsmith run: ${status}`];
  const entry = typeof report.entry === "string" && report.entry ? report.entry : undefined;
  const plugin = typeof report.plugin === "string" && report.plugin ? report.plugin : undefined;
  if (plugin || entry) {
    parts.push(`(${[plugin, entry].filter((p) => p !== undefined).join(", ")})`);
  }
  const durations = report.durations as Record<string, unknown> | undefined;
  const ms = durations && typeof durations.total_ms === "number" ? durations.total_ms : undefined;
  if (ms !== undefined) {
    parts.push(`in ${ms.toFixed(0)} ms`);
  }
  if (typeof report.message === "string" && report.message) {
    parts.push(`: ${report.message}`);
  }
  return { ok: status === "ok", message: parts.join(" ").replace(" :", ":"), details };
}
