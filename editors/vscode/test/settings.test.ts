import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  LIVE_SETTINGS,
  RESTART_SETTINGS,
  didChangeConfigurationParams,
  normalizeCodes,
  serverArguments,
  toInitializationOptions,
} from "../src/settings";

const ROOT = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("settings → initializationOptions", () => {
  it("sends select and ignore as the server reads them", () => {
    assert.deepEqual(toInitializationOptions({ select: ["KIL", "pan001"], ignore: ["PAN010"] }), {
      select: ["KIL", "PAN001"],
      ignore: ["PAN010"],
    });
  });

  it("leaves an empty select out, so the configuration file's select applies", () => {
    assert.deepEqual(toInitializationOptions({ select: [], ignore: [] }), { ignore: [] });
    assert.deepEqual(toInitializationOptions({}), { ignore: [] });
  });

  it("wraps the same options for didChangeConfiguration (ignore always present to clear it)", () => {
    assert.deepEqual(didChangeConfigurationParams({ select: ["ALL"], ignore: [] }), {
      settings: { select: ["ALL"], ignore: [] },
    });
  });

  it("normalizes codes: trims, upper-cases, splits commas, drops junk and duplicates", () => {
    assert.deepEqual(normalizeCodes([" kil001 ", "PAN,pan003", "", 7, null, "KIL001"]), ["KIL001", "PAN", "PAN003"]);
    assert.deepEqual(normalizeCodes("KIL, PAN"), ["KIL", "PAN"]);
    assert.deepEqual(normalizeCodes(undefined), []);
    assert.deepEqual(normalizeCodes({ a: 1 }), []);
  });
});

describe("server arguments", () => {
  it("is `server` plus the user's extra strings", () => {
    assert.deepEqual(serverArguments([]), ["server"]);
    assert.deepEqual(serverArguments(["--log", 3, "debug"]), ["server", "--log", "debug"]);
    assert.deepEqual(serverArguments("nope"), ["server"]);
  });
});

describe("package.json agrees with the code", () => {
  const properties = manifest.contributes.configuration.properties;

  it("contributes every setting the code reads", () => {
    for (const key of [...RESTART_SETTINGS, ...LIVE_SETTINGS, "plugsmith.trace.server"]) {
      assert.ok(properties[key], `${key} is not contributed`);
    }
  });

  it("restricts the settings that choose what runs, in untrusted workspaces", () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, "limited");
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [...RESTART_SETTINGS].sort());
  });

  it("only enables Run Plugin in trusted workspaces", () => {
    const commands = Object.fromEntries(
      manifest.contributes.commands.map((c: { command: string }) => [c.command, c]),
    );
    assert.deepEqual(Object.keys(commands).sort(), ["plugsmith.restartServer", "plugsmith.runPlugin", "plugsmith.showOutput"]);
    assert.equal(commands["plugsmith.runPlugin"].enablement, "isWorkspaceTrusted");
  });

  it("keeps `vscode` out of the unit-tested modules", () => {
    for (const name of ["serverPath.ts", "settings.ts", "runPlugin.ts"]) {
      const source = fs.readFileSync(path.join(ROOT, "src", name), "utf8");
      assert.doesNotMatch(source, /from\s+["']vscode["']|require\(["']vscode["']\)/, name);
    }
  });
});
