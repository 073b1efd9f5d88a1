#!/usr/bin/env python3
"""Language-server benchmarks over stdio, with a minimal JSON-RPC client (no framework
overhead in the measurement).

    python3 bench/lsp_bench.py latency [--server target/release/plugsmith] [--changes 300]
    python3 bench/lsp_bench.py memory  [--server target/release/plugsmith] [--documents 200]

latency: the time to answer `initialize` (budget: under 20 ms) is printed first; then a 2,000-line
Kili plugin is opened, then changed CHANGES times (one character typed
in a helper function, incremental sync); each change's time is measured from sending
`didChange` to receiving `publishDiagnostics` for that document version. Prints p50, p90, p99
and max (budget: p99 at most 10 ms).

memory: DOCUMENTS plugin files (Kili handlers, Panoptes info files, Supervisely manifests,
Flowdapt workflows, ArchiHub plugins) are written to a temporary workspace and opened; once every
document has its diagnostics and one more second has passed (idle), the server's resident memory
(VmRSS, and VmHWM as the peak) is read from /proc (budget: under 30 MB).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_corpus import HELPERS, archihub, flowdapt, kili, panoptes, supervisely  # noqa: E402


class Client:
    def __init__(self, command, root):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.root = root

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message
            self.answer_server_request(message)

    def answer_server_request(self, message):
        if "id" in message and "method" in message:
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version=None):
        while True:
            message = self.receive()
            self.answer_server_request(message)
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and (version is None or params.get("version") == version):
                return params

    def start(self):
        """Initializes; returns the milliseconds from sending `initialize` to its answer."""
        uri = Path(self.root).as_uri()
        began = time.perf_counter()
        self.request("initialize", {"processId": os.getpid(), "rootUri": uri, "capabilities": {},
                                    "workspaceFolders": [{"uri": uri, "name": "bench"}]})
        answered = (time.perf_counter() - began) * 1000
        self.notify("initialized", {})
        return answered

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=10)


def open_document(client, path, text, language):
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": path.as_uri(), "languageId": language, "version": 1, "text": text}})


def big_kili_plugin(lines):
    head = ("from kili.plugins import PluginCore\n\n\nclass PluginHandler(PluginCore):\n"
            "    def on_submit(self, label, asset_id):\n        self.logger.info('submitted %s', asset_id)\n")
    body, n = [], 0
    while len(head.splitlines()) + sum(b.count("\n") for b in body) < lines:
        body.append(HELPERS.format(n=n))
        n += 1
    return head + "".join(body)


def latency(args):
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "plugin" / "main.py"
        path.parent.mkdir()
        text = big_kili_plugin(2000)
        path.write_text(text)
        client = Client([args.server, "server"], root)
        initialize_ms = client.start()
        uri = path.as_uri()
        open_document(client, path, text, "python")
        client.wait_diagnostics(uri, 1)
        target_line = text.splitlines().index("    out = []")
        samples = []
        for version in range(2, args.changes + 2):
            # Even versions type an `x`, odd ones delete it again.
            typed = version % 2 == 0
            change = {"range": {"start": {"line": target_line, "character": 8},
                                "end": {"line": target_line, "character": 8 if typed else 9}},
                      "text": "x" if typed else ""}
            start = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [change]})
            client.wait_diagnostics(uri, version)
            samples.append((time.perf_counter() - start) * 1000)
        client.stop()
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print(f"initialize answered in {initialize_ms:.2f} ms (process just started)")
    print(f"change-to-diagnostics on a {len(text.splitlines())}-line plugin, {len(samples)} changes: "
          f"p50 {pick(0.5):.2f} ms, p90 {pick(0.9):.2f} ms, p99 {pick(0.99):.2f} ms, max {samples[-1]:.2f} ms")


def memory(args):
    with tempfile.TemporaryDirectory() as root:
        root_path = Path(root)
        makers = [kili, panoptes, supervisely, flowdapt, archihub]
        for i in range(args.documents):
            makers[i % 5](root_path, i, broken=i % 4 == 0)
        documents = sorted(p for p in root_path.rglob("*") if p.is_file()
                           and p.suffix in (".py", ".json", ".yaml", ".toml") or p.name.endswith(".panoptes-plugin"))
        documents = documents[: args.documents]
        client = Client([args.server, "server"], root)
        client.start()
        for path in documents:
            language = {".py": "python", ".json": "json", ".yaml": "yaml", ".toml": "toml"}.get(path.suffix, "ini")
            open_document(client, path, path.read_text(), language)
        # Every open document gets a publishDiagnostics (empty or not) after its check.
        pending = {p.as_uri() for p in documents}
        deadline = time.time() + 60
        while pending and time.time() < deadline:
            message = client.receive()
            client.answer_server_request(message)
            if message.get("method") == "textDocument/publishDiagnostics":
                pending.discard(message["params"]["uri"])
        # Idle memory: let the server finish the batch it is in (it trims its caches after
        # publishing), then read.
        time.sleep(1.0)
        status = Path(f"/proc/{client.process.pid}/status").read_text()
        fields = {line.split(":")[0]: line.split(":")[1].strip() for line in status.splitlines() if ":" in line}
        client.stop()
    print(f"{len(documents)} open documents ({len(pending)} without diagnostics yet): "
          f"VmRSS {fields['VmRSS']} (anonymous {fields['RssAnon']}, file {fields['RssFile']}), "
          f"peak VmHWM {fields['VmHWM']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["latency", "memory"])
    parser.add_argument("--server", default="target/release/plugsmith")
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    {"latency": latency, "memory": memory}[args.what](args)


if __name__ == "__main__":
    main()
