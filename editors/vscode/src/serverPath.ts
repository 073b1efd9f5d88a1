// Finding the `plugsmith` binary. No `vscode` import: unit-tested with `node --test`.
//
// Order: the `plugsmith.server.path` setting, then the binary bundled in a platform-specific
// .vsix (`bundled/bin/plugsmith`), then `plugsmith` on PATH. Each candidate is run with
// `--version`; the first that answers `plugsmith X.Y.Z` wins.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export type ServerSource = "setting" | "bundled" | "PATH";

export interface Candidate {
  path: string;
  source: ServerSource;
}

export interface LookupInput {
  /** `plugsmith.server.path` (empty or undefined when unset). */
  settingPath?: string;
  /** The extension's root folder (`context.extensionPath`). */
  extensionPath: string;
  /** The PATH environment variable. */
  pathEnv?: string;
  /** PATHEXT on Windows. */
  pathExt?: string;
  platform: NodeJS.Platform;
  homeDir: string;
  /** Whether a file exists and is a file; injectable for tests. */
  isFile?: (file: string) => boolean;
}

export interface ResolvedServer extends Candidate {
  version: string;
}

export interface Failure extends Candidate {
  reason: string;
}

export interface Resolution {
  server?: ResolvedServer;
  /** Candidates that were tried and rejected, in order (shown to the user). */
  failures: Failure[];
}

/** Runs `<file> --version` and returns its stdout; rejects on error or timeout. */
export type Probe = (file: string) => Promise<string>;

export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "plugsmith.exe" : "plugsmith";
}

/** `~` and `~/x` become the home folder; `${userHome}` too (VS Code's variable). */
export function expandHome(file: string, homeDir: string): string {
  if (file === "~") {
    return homeDir;
  }
  if (file.startsWith("~/") || file.startsWith("~\\")) {
    return path.join(homeDir, file.slice(2));
  }
  return file.replace(/\$\{userHome\}/g, homeDir);
}

export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, "bundled", "bin", binaryName(platform));
}

function defaultIsFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first `plugsmith` on PATH, as `which` would find it (without running it). */
export function findOnPath(input: LookupInput): string | undefined {
  const isFile = input.isFile ?? defaultIsFile;
  const windows = input.platform === "win32";
  const separator = windows ? ";" : ":";
  const extensions = windows
    ? (input.pathExt || ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e.length > 0)
    : [""];
  for (const rawDir of (input.pathEnv ?? "").split(separator)) {
    const dir = rawDir.trim().replace(/^"(.*)"$/, "$1");
    if (dir.length === 0) {
      continue;
    }
    for (const ext of extensions) {
      const file = path.join(dir, windows ? `plugsmith${ext.toLowerCase()}` : "plugsmith");
      if (isFile(file)) {
        return file;
      }
    }
  }
  return undefined;
}

/** The candidates in lookup order; those that do not exist are left out (except the setting). */
export function serverCandidates(input: LookupInput): Candidate[] {
  const isFile = input.isFile ?? defaultIsFile;
  const candidates: Candidate[] = [];
  const setting = (input.settingPath ?? "").trim();
  if (setting.length > 0) {
    candidates.push({ path: expandHome(setting, input.homeDir), source: "setting" });
  }
  const bundled = bundledServerPath(input.extensionPath, input.platform);
  if (isFile(bundled)) {
    candidates.push({ path: bundled, source: "bundled" });
  }
  const onPath = findOnPath(input);
  if (onPath !== undefined) {
    candidates.push({ path: onPath, source: "PATH" });
  }
  return candidates;
}

/** `plugsmith 0.1.0` → `0.1.0`; undefined when the output is not plugsmith's. */
export function parseVersion(stdout: string): string | undefined {
  const match = /^plugsmith\s+(\S+)/m.exec(stdout.trim());
  return match ? match[1] : undefined;
}

/** Tries the candidates in order with `--version`. */
export async function resolveServer(candidates: Candidate[], probe: Probe): Promise<Resolution> {
  const failures: Failure[] = [];
  for (const candidate of candidates) {
    let stdout: string;
    try {
      stdout = await probe(candidate.path);
    } catch (error) {
      failures.push({ ...candidate, reason: errorMessage(error) });
      continue;
    }
    const version = parseVersion(stdout);
    if (version === undefined) {
      failures.push({
        ...candidate,
        reason: `\`--version\` printed ${JSON.stringify(stdout.trim().slice(0, 80))}, not \`plugsmith X.Y.Z\``,
      });
      continue;
    }
    return { server: { ...candidate, version }, failures };
  }
  return { failures };
}

/** The message shown when no candidate works. */
export function notFoundMessage(failures: Failure[]): string {
  const tried = failures.map((f) => `${f.source} ${f.path}: ${f.reason}`);
  const hint =
    "Install plugsmith (`cargo install --path crates/plugsmith` or a release binary) and put it on PATH, " +
    "or set `plugsmith.server.path`.";
  return tried.length === 0
    ? `plugsmith: no server found (no setting, no bundled binary, nothing on PATH). ${hint}`
    : `plugsmith: no working server. Tried ${tried.join("; ")}. ${hint}`;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return "not found";
    }
    if (code === "EACCES") {
      return "not executable";
    }
    return error.message.split("\n")[0];
  }
  return String(error);
}

/** The real probe: `<file> --version` with a timeout. */
export function execVersion(timeoutMs = 10_000): Probe {
  return (file: string) =>
    new Promise<string>((resolve, reject) => {
      execFile(file, ["--version"], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
        if (error) {
          reject(error);
        } else {
          resolve(String(stdout));
        }
      });
    });
}
