import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  bundledServerPath,
  execVersion,
  expandHome,
  findOnPath,
  notFoundMessage,
  parseVersion,
  resolveServer,
  serverCandidates,
  type Candidate,
  type LookupInput,
} from "../src/serverPath";

const EXT = "/ext";
const BUNDLED = path.join(EXT, "bundled", "bin", "plugsmith");

function input(files: string[], overrides: Partial<LookupInput> = {}): LookupInput {
  return {
    extensionPath: EXT,
    pathEnv: "/usr/local/bin:/opt/plugsmith/bin",
    platform: "linux",
    homeDir: "/home/me",
    isFile: (file) => files.includes(file),
    ...overrides,
  };
}

describe("serverCandidates: setting, then bundled, then PATH", () => {
  it("lists all three in order", () => {
    const candidates = serverCandidates(
      input([BUNDLED, "/opt/plugsmith/bin/plugsmith"], { settingPath: "~/bin/plugsmith" }),
    );
    assert.deepEqual(candidates, [
      { path: path.join("/home/me", "bin/plugsmith"), source: "setting" },
      { path: BUNDLED, source: "bundled" },
      { path: "/opt/plugsmith/bin/plugsmith", source: "PATH" },
    ]);
  });

  it("keeps the setting even when the file is missing (its probe failure is reported)", () => {
    assert.deepEqual(serverCandidates(input([], { settingPath: "/nope/plugsmith" })), [
      { path: "/nope/plugsmith", source: "setting" },
    ]);
  });

  it("skips an empty setting and a missing bundled binary", () => {
    assert.deepEqual(serverCandidates(input(["/usr/local/bin/plugsmith"], { settingPath: "  " })), [
      { path: "/usr/local/bin/plugsmith", source: "PATH" },
    ]);
  });

  it("finds nothing when nothing exists", () => {
    assert.deepEqual(serverCandidates(input([])), []);
  });
});

describe("findOnPath", () => {
  it("takes the first PATH entry that has the binary", () => {
    const found = findOnPath(input(["/usr/local/bin/plugsmith", "/opt/plugsmith/bin/plugsmith"]));
    assert.equal(found, "/usr/local/bin/plugsmith");
  });

  it("ignores empty PATH entries", () => {
    assert.equal(findOnPath(input(["/a/plugsmith"], { pathEnv: "::/a:" })), path.join("/a", "plugsmith"));
  });

  it("uses ; and PATHEXT on Windows", () => {
    const file = path.join("C:\\tools", "plugsmith.exe");
    const found = findOnPath(input([file], { platform: "win32", pathEnv: "C:\\other;C:\\tools", pathExt: ".COM;.EXE" }));
    assert.equal(found, file);
  });
});

describe("small helpers", () => {
  it("expands ~ and ${userHome}", () => {
    assert.equal(expandHome("~", "/h"), "/h");
    assert.equal(expandHome("~/x/plugsmith", "/h"), path.join("/h", "x/plugsmith"));
    assert.equal(expandHome("${userHome}/plugsmith", "/h"), "/h/plugsmith");
    assert.equal(expandHome("/abs/plugsmith", "/h"), "/abs/plugsmith");
  });

  it("puts the bundled binary in bundled/bin", () => {
    assert.equal(bundledServerPath("/e", "linux"), path.join("/e", "bundled", "bin", "plugsmith"));
    assert.equal(bundledServerPath("/e", "win32"), path.join("/e", "bundled", "bin", "plugsmith.exe"));
  });

  it("parses `plugsmith X.Y.Z` only", () => {
    assert.equal(parseVersion("plugsmith 0.1.0\n"), "0.1.0");
    assert.equal(parseVersion("ruff 0.6.0"), undefined);
    assert.equal(parseVersion(""), undefined);
  });
});

describe("resolveServer: each candidate is checked with --version", () => {
  const candidates: Candidate[] = [
    { path: "/broken/plugsmith", source: "setting" },
    { path: "/other/tool", source: "bundled" },
    { path: "/usr/bin/plugsmith", source: "PATH" },
  ];

  it("falls through failing and foreign binaries to the first working one", async () => {
    const probe = async (file: string) => {
      if (file === "/broken/plugsmith") {
        throw Object.assign(new Error("spawn ENOENT"), { code: "ENOENT" });
      }
      return file === "/other/tool" ? "other 1.0" : "plugsmith 0.1.0";
    };
    const resolution = await resolveServer(candidates, probe);
    assert.deepEqual(resolution.server, { path: "/usr/bin/plugsmith", source: "PATH", version: "0.1.0" });
    assert.deepEqual(
      resolution.failures.map((f) => [f.source, f.reason.startsWith("not found") || f.reason.includes("not `plugsmith")]),
      [
        ["setting", true],
        ["bundled", true],
      ],
    );
  });

  it("takes the setting first when it works", async () => {
    const seen: string[] = [];
    const resolution = await resolveServer(candidates, async (file) => {
      seen.push(file);
      return "plugsmith 2.0.0";
    });
    assert.equal(resolution.server?.source, "setting");
    assert.deepEqual(seen, ["/broken/plugsmith"]);
  });

  it("explains what was tried when nothing works", async () => {
    const resolution = await resolveServer(candidates, async () => {
      throw new Error("boom");
    });
    assert.equal(resolution.server, undefined);
    const message = notFoundMessage(resolution.failures);
    assert.match(message, /setting \/broken\/plugsmith: boom/);
    assert.match(message, /plugsmith\.server\.path/);
    assert.match(notFoundMessage([]), /nothing on PATH/);
  });

  it("runs real executables (a fake plugsmith script, a non-executable file)", { skip: process.platform === "win32" }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugsmith-probe-"));
    try {
      const good = path.join(dir, "plugsmith");
      fs.writeFileSync(good, "#!/bin/sh\necho 'plugsmith 9.8.7'\n", { mode: 0o755 });
      const notExecutable = path.join(dir, "plain");
      fs.writeFileSync(notExecutable, "#!/bin/sh\necho 'plugsmith 1.0.0'\n", { mode: 0o644 });
      const resolution = await resolveServer(
        [
          { path: notExecutable, source: "setting" },
          { path: good, source: "bundled" },
        ],
        execVersion(5000),
      );
      assert.deepEqual(resolution.server, { path: good, source: "bundled", version: "9.8.7" });
      assert.equal(resolution.failures[0].reason, "not executable");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
