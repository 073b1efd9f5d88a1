// Loads the esbuild bundle (dist/extension.js) with a stand-in `vscode` module: the bundle
// must load, export activate/deactivate, and keep `vscode` external. Skipped before `npm run build`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Module from "node:module";

const BUNDLE = path.resolve(__dirname, "..", "..", "dist", "extension.js");

/** Any property is a function/class that returns another stand-in. */
function standIn(name: string): unknown {
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_t, property) => {
      if (property === "prototype") {
        return {};
      }
      if (property === Symbol.toPrimitive) {
        return () => name;
      }
      return standIn(`${name}.${String(property)}`);
    },
    apply: () => standIn(`${name}()`),
    construct: () => ({}),
  });
}

describe("the bundle", { skip: !fs.existsSync(BUNDLE) && "run `npm run build` first" }, () => {
  it("loads with `vscode` external and exports activate/deactivate", () => {
    const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = loader._load;
    const requested: string[] = [];
    loader._load = function (request: string, ...rest: unknown[]) {
      if (request === "vscode") {
        requested.push(request);
        return standIn("vscode");
      }
      return original.call(this, request, ...rest);
    };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const extension = require(BUNDLE);
      assert.equal(typeof extension.activate, "function");
      assert.equal(typeof extension.deactivate, "function");
      assert.ok(requested.length > 0, "vscode was bundled instead of required");
    } finally {
      loader._load = original;
    }
  });
});
