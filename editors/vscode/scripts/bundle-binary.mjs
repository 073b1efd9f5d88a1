// Copies the plugsmith binary into bundled/bin/ (kept executable) for a platform-specific .vsix.
// Runs from `vscode:prepublish`, so a plain `npx vsce package --target linux-x64` bundles it too.
//
// Source: $PLUGSMITH_BIN, else <repo>/target/release/plugsmith.
// PLUGSMITH_STRIP=1 strips the copy (`strip`), e.g. for a debug build (200+ MB → ~30 MB).
// PLUGSMITH_NO_BINARY=1 builds a universal .vsix without a binary (the extension then uses
// plugsmith.server.path or PATH).
// A copy made from the same source (path, size, mtime, strip) is not redone.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.resolve(here, "..");
const repoRoot = path.resolve(extensionRoot, "..", "..");
const bundledDir = path.join(extensionRoot, "bundled");
const binDir = path.join(bundledDir, "bin");
const name = process.platform === "win32" ? "plugsmith.exe" : "plugsmith";
const destination = path.join(binDir, name);
const stampFile = path.join(bundledDir, ".source.json");

if (process.env.PLUGSMITH_NO_BINARY === "1") {
  fs.rmSync(bundledDir, { recursive: true, force: true });
  console.log("bundle-binary: PLUGSMITH_NO_BINARY=1, no binary bundled");
  process.exit(0);
}

const source = process.env.PLUGSMITH_BIN
  ? path.resolve(process.env.PLUGSMITH_BIN)
  : path.join(repoRoot, "target", "release", name);
if (!fs.existsSync(source)) {
  console.error(
    `bundle-binary: ${source} does not exist. Build it (cargo build --release -p plugsmith), ` +
      "set PLUGSMITH_BIN to a plugsmith binary, or PLUGSMITH_NO_BINARY=1 for a universal .vsix.",
  );
  process.exit(1);
}
const check = spawnSync(source, ["--version"], { encoding: "utf8" });
if (check.status !== 0 || !/^plugsmith\s+\S+/.test(check.stdout ?? "")) {
  console.error(`bundle-binary: \`${source} --version\` did not print \`plugsmith X.Y.Z\` (${check.error ?? check.stderr})`);
  process.exit(1);
}

const sourceStat = fs.statSync(source);
const stamp = JSON.stringify({
  source,
  size: sourceStat.size,
  mtimeMs: sourceStat.mtimeMs,
  strip: process.env.PLUGSMITH_STRIP === "1",
});
const previous = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8") : "";
if (previous === stamp && fs.existsSync(destination)) {
  fs.chmodSync(destination, 0o755);
  console.log(`bundle-binary: ${path.relative(extensionRoot, destination)} is up to date (${check.stdout.trim()})`);
  process.exit(0);
}

fs.mkdirSync(binDir, { recursive: true });
fs.rmSync(destination, { force: true });
fs.copyFileSync(source, destination);
if (process.env.PLUGSMITH_STRIP === "1") {
  const strip = spawnSync("strip", [destination], { encoding: "utf8" });
  if (strip.status !== 0) {
    console.warn(`bundle-binary: strip failed, bundling unstripped (${strip.error ?? strip.stderr})`);
  }
}
fs.chmodSync(destination, 0o755);
fs.writeFileSync(stampFile, stamp);
console.log(
  `bundle-binary: ${source} -> ${path.relative(extensionRoot, destination)} ` +
    `(${fs.statSync(destination).size} bytes, ${check.stdout.trim()})`,
);
