import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  RUN_COMMAND,
  eventChoices,
  guessPlatform,
  inputOption,
  isSampleCandidate,
  runCliArguments,
  lensRequest,
  runCommandArguments,
  summarizeResult,
} from "../src/runPlugin";

const KILI = `from kili.plugins import PluginCore
from kili_events import on_kili_event

class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        pass

    @on_kili_event("asset.skipped")
    def skipped(self, event):
        pass
`;

describe("executeCommand arguments", () => {
  it("is one {path, event} object", () => {
    assert.equal(RUN_COMMAND, "plugsmith.runPlugin");
    assert.deepEqual(runCommandArguments({ path: "/w/plugin.py", event: "submit" }), [
      { path: "/w/plugin.py", event: "submit" },
    ]);
  });

  it("takes a code lens's request as it is", () => {
    assert.deepEqual(lensRequest({ path: "/w/fdt", workflow: "/w/fdt/workflows/w.yaml", platform: "flowdapt" }), {
      path: "/w/fdt",
      event: undefined,
      input: undefined,
      platform: "flowdapt",
      workflow: "/w/fdt/workflows/w.yaml",
    });
    assert.equal(lensRequest(undefined), undefined);
    assert.equal(lensRequest({ fsPath: "/w/x.py" }), undefined);
    assert.equal(lensRequest([{ path: "/w" }]), undefined);
    assert.deepEqual(runCommandArguments(lensRequest({ path: "/w/k", event: "submit", platform: "kili" })!), [
      { path: "/w/k", event: "submit", platform: "kili" },
    ]);
  });

  it("leaves out the default event and the bundled sample", () => {
    assert.deepEqual(runCommandArguments({ path: "/w/p", event: undefined, input: undefined }), [{ path: "/w/p" }]);
    assert.deepEqual(runCommandArguments({ path: "/w/p", event: "" }), [{ path: "/w/p" }]);
  });

  it("adds a chosen input file", () => {
    assert.deepEqual(runCommandArguments({ path: "/w/p", event: "review", input: "/w/label.json" }), [
      { path: "/w/p", event: "review", input: "/w/label.json" },
    ]);
  });
});

describe("plugsmith run command line (task fallback)", () => {
  it("builds `run PATH --event E --platform P` and the platform's input option", () => {
    assert.deepEqual(runCliArguments({ path: "/w/plugin.py", event: "submit", input: "/w/l.json" }, "kili", "json"), [
      "run",
      "/w/plugin.py",
      "--event",
      "submit",
      "--platform",
      "kili",
      "--label",
      "/w/l.json",
      "--output-format",
      "json",
    ]);
    assert.deepEqual(runCliArguments({ path: "/w/p" }), ["run", "/w/p"]);
  });

  it("maps each platform's sample input to its option", () => {
    assert.equal(inputOption("panoptes"), "--resource");
    assert.equal(inputOption("archihub"), "--body");
    assert.equal(inputOption("flowdapt"), "--input");
    assert.equal(inputOption("supervisely"), "--config");
    assert.equal(inputOption(undefined), undefined);
    // An input without a known platform is not passed (the option would be wrong).
    assert.deepEqual(runCliArguments({ path: "/p", input: "/x.json" }), ["run", "/p"]);
  });
});

describe("choices", () => {
  it("guesses the platform from the file", () => {
    assert.equal(guessPlatform("/w/plugin.py", KILI), "kili");
    assert.equal(guessPlatform("/w/a/x.panoptes-plugin", "[Core]\n"), "panoptes");
    assert.equal(guessPlatform("/w/workflow.yaml", "kind: workflow\nspec:\n"), "flowdapt");
    assert.equal(guessPlatform("/w/src/main.py", "import supervisely as sly\n"), "supervisely");
    assert.equal(guessPlatform("/w/x.py", "print(1)\n"), undefined);
  });

  it("offers the default, then the handlers and @on_kili_event subjects the file defines", () => {
    const events = eventChoices("kili", KILI).map((c) => c.event);
    assert.deepEqual(events.slice(0, 3), [undefined, "submit", "asset.skipped"]);
    assert.ok(events.includes("review") && events.includes("send_back_to_queue"));
    assert.equal(new Set(events).size, events.length);
  });

  it("offers Supervisely entries and Flowdapt stages", () => {
    assert.deepEqual(eventChoices("supervisely", "").map((c) => c.event), [undefined, "main", "train", "inference"]);
    const workflow = "kind: workflow\nspec:\n  stages:\n    - name: fetch\n      target: a.b\n    - name: train\n";
    assert.deepEqual(eventChoices("flowdapt", workflow).map((c) => c.event), [undefined, "fetch", "train"]);
    assert.deepEqual(eventChoices(undefined, "").map((c) => c.event), [undefined]);
  });

  it("offers JSON files as samples, not manifests or dependencies", () => {
    assert.ok(isSampleCandidate("samples/label.json"));
    assert.ok(!isSampleCandidate("node_modules/x/data.json"));
    assert.ok(!isSampleCandidate("plugin/plugin_info.json"));
    assert.ok(!isSampleCandidate("README.md"));
  });
});

describe("the result shown", () => {
  it("summarizes a run report", () => {
    const summary = summarizeResult({
      status: "timeout",
      message: "Task timed out after 60.00 seconds",
      plugin: "plugin.py",
      entry: "submit",
      durations: { total_ms: 60012.4 },
    });
    assert.equal(summary.ok, false);
    assert.equal(summary.message, "plugsmith run: timeout (plugin.py, submit) in 60012 ms: Task timed out after 60.00 seconds");
    assert.match(summary.details, /"status": "timeout"/);
    assert.equal(summarizeResult({ status: "ok" }).ok, true);
  });

  it("copes with no report", () => {
    assert.equal(summarizeResult(null).ok, false);
    assert.equal(summarizeResult(undefined).details, "null");
    assert.equal(summarizeResult("text report").details, "text report");
  });
});
