// Copies the plugsmith binary into bundled/bin/ (kept executable) for a platform-specific .vsix.
// Source: $PLUGSMITH_BIN, else <repo>/target/release/plugsmith. PLUGSMITH_NO_BINARY=1 builds a
// universal .vsix without a binary (the extension then uses plugsmith.server.path or PATH).
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.resolve(here, "..");
const repoRoot = path.resolve(extensionRoot, "..", "..");
const binDir = path.join(extensionRoot, "bundled", "bin");
const name = process.platform === "win32" ? "plugsmith.exe" : "plugsmith";
const destination = path.join(binDir, name);

if (process.env.PLUGSMITH_NO_BINARY === "1") {
  fs.rmSync(path.join(extensionRoot, "bundled"), { recursive: true, force: true });
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
fs.mkdirSync(binDir, { recursive: true });
if (path.resolve(source) !== path.resolve(destination)) {
  fs.copyFileSync(source, destination);
}
fs.chmodSync(destination, 0o755);
console.log(`bundle-binary: ${source} -> ${path.relative(extensionRoot, destination)} (${fs.statSync(destination).size} bytes)`);
