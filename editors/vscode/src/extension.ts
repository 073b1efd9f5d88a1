// The VS Code side: starts `plugsmith server` through vscode-languageclient and wires the
// commands. The logic worth testing lives in serverPath.ts, settings.ts and runPlugin.ts,
// which do not import `vscode`.

import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
  type DocumentSelector,
  type DynamicFeature,
  type StaticFeature,
} from "vscode-languageclient/node";
import {
  RUN_COMMAND,
  eventChoices,
  guessPlatform,
  isSampleCandidate,
  runCliArguments,
  runCommandArguments,
  summarizeResult,
  type EventChoice,
  type Platform,
  type RunRequest,
  lensRequest,
} from "./runPlugin";
import { execVersion, notFoundMessage, resolveServer, serverCandidates, type ResolvedServer } from "./serverPath";
import {
  LIVE_SETTINGS,
  RESTART_SETTINGS,
  didChangeConfigurationParams,
  serverArguments,
  toInitializationOptions,
} from "./settings";

/** VS Code commands of this extension (the server's commands of the same name are not re-registered). */
const OWN_COMMANDS = ["plugsmith.runPlugin", "plugsmith.restartServer", "plugsmith.showOutput"];

export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: "file", language: "python" },
  { scheme: "file", language: "json" },
  { scheme: "file", language: "jsonc" },
  { scheme: "file", language: "yaml" },
  { scheme: "file", language: "toml" },
  { scheme: "file", language: "ini" },
  { scheme: "file", language: "panoptes-plugin" },
  { scheme: "file", pattern: "**/*.panoptes-plugin" },
  { scheme: "file", language: "plaintext", pattern: "**/VERSION" },
  { scheme: "file", pattern: "**/requirements*.txt" },
];

/** vscode-languageclient registers a VS Code command for every server command; ours wins. */
class PlugsmithLanguageClient extends LanguageClient {
  public override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const dynamic = feature as DynamicFeature<{ commands?: string[] }>;
    if (dynamic.registrationType?.method === ExecuteCommandRequest.method) {
      const register = dynamic.register.bind(dynamic);
      dynamic.register = (data) =>
        register({
          ...data,
          registerOptions: {
            ...data.registerOptions,
            commands: (data.registerOptions.commands ?? []).filter((c) => !OWN_COMMANDS.includes(c)),
          },
        });
    }
    super.registerFeature(feature);
  }
}

let client: PlugsmithLanguageClient | undefined;
let server: ResolvedServer | undefined;
let output: vscode.OutputChannel;
let runOutput: vscode.OutputChannel;
let extensionPath: string;

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("plugsmith");
}

async function findServer(): Promise<ResolvedServer | undefined> {
  const config = settings();
  const candidates = serverCandidates({
    // A restricted setting: in an untrusted workspace VS Code returns only the user's value.
    settingPath: config.get<string>("server.path", ""),
    extensionPath,
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    homeDir: os.homedir(),
  });
  const resolution = await resolveServer(candidates, execVersion());
  for (const failure of resolution.failures) {
    output.appendLine(`[plugsmith] skipped ${failure.source} candidate ${failure.path}: ${failure.reason}`);
  }
  if (resolution.server === undefined) {
    const message = notFoundMessage(resolution.failures);
    output.appendLine(`[plugsmith] ${message}`);
    void vscode.window.showErrorMessage(message, "Open Settings").then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "plugsmith.server.path");
      }
    });
    return undefined;
  }
  if (resolution.failures.some((f) => f.source === "setting")) {
    void vscode.window.showWarningMessage(
      `plugsmith.server.path does not work (see the plugsmith output); using the ${resolution.server.source} binary ${resolution.server.path}.`,
    );
  }
  output.appendLine(
    `[plugsmith] server ${resolution.server.path} (${resolution.server.source}, version ${resolution.server.version})`,
  );
  return resolution.server;
}

async function startClient(): Promise<void> {
  server = await findServer();
  if (server === undefined) {
    return;
  }
  const config = settings();
  const serverOptions: ServerOptions = {
    command: server.path,
    // TransportKind.stdio makes vscode-languageclient append `--stdio`; the server accepts it.
    args: serverArguments(config.get<unknown>("server.args", [])),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    initializationOptions: toInitializationOptions({
      select: config.get<unknown>("select"),
      ignore: config.get<unknown>("ignore"),
    }),
    outputChannel: output,
    diagnosticCollectionName: "plugsmith",
  };
  client = new PlugsmithLanguageClient("plugsmith", "plugsmith", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`[plugsmith] the server did not start: ${String(error)}`);
    void vscode.window.showErrorMessage(`plugsmith: the server did not start (${String(error)}).`);
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined && running.state !== State.Stopped) {
    try {
      await running.stop();
    } catch (error) {
      output.appendLine(`[plugsmith] stopping the server: ${String(error)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  await stopClient();
  await startClient();
}

function sendSettings(): void {
  if (client === undefined || client.state !== State.Running) {
    return;
  }
  const config = settings();
  void client.sendNotification(
    DidChangeConfigurationNotification.type,
    didChangeConfigurationParams({ select: config.get<unknown>("select"), ignore: config.get<unknown>("ignore") }),
  );
}

// --- plugsmith: Run Plugin Locally ----------------------------------------------------------

async function targetUri(argument: unknown): Promise<vscode.Uri | undefined> {
  if (argument instanceof vscode.Uri) {
    return argument;
  }
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined) {
    if (editor.document.isDirty) {
      await editor.document.save();
    }
    return editor.document.uri;
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: "Run this plugin",
  });
  return picked?.[0];
}

async function readText(uri: vscode.Uri): Promise<string> {
  const decoder = new TextDecoder();
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) {
      // A folder plugin: guess from its usual entry files.
      for (const name of ["main.py", "plugin.py", "src/main.py", "workflow.yaml", "workflow.yml"]) {
        try {
          return decoder.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uri, name)));
        } catch {
          // next
        }
      }
      return "";
    }
    return decoder.decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return "";
  }
}

async function pickEvent(platform: Platform | undefined, text: string): Promise<EventChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice?: EventChoice; other?: boolean };
  const items: Item[] = eventChoices(platform, text).map((choice) => ({
    label: choice.label,
    description: choice.description,
    choice,
  }));
  items.push({ label: "Other…", description: "type an event, task, entry or stage", other: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: `plugsmith: run ${platform ?? "plugin"} — handler / event`,
    placeHolder: "Which handler, event or entry to run",
  });
  if (picked === undefined) {
    return undefined;
  }
  if (picked.other) {
    const typed = await vscode.window.showInputBox({
      title: "plugsmith: event",
      prompt: "Kili: submit, review, … or an event subject; ArchiHub: a task; Supervisely: main/train/inference; Flowdapt: a stage",
    });
    return typed === undefined ? undefined : { event: typed.trim(), label: typed.trim() };
  }
  return picked.choice;
}

/** undefined: cancelled; null: the bundled sample. */
async function pickInput(folder: vscode.WorkspaceFolder | undefined): Promise<string | null | undefined> {
  type Item = vscode.QuickPickItem & { file?: string; browse?: boolean };
  const items: Item[] = [{ label: "Bundled sample", description: "plugsmith's sample input for the platform" }];
  const files = await vscode.workspace.findFiles(
    folder ? new vscode.RelativePattern(folder, "**/*.json") : "**/*.json",
    "{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/target/**}",
    200,
  );
  for (const file of files) {
    const relative = vscode.workspace.asRelativePath(file, false);
    if (isSampleCandidate(relative)) {
      items.push({ label: path.basename(file.fsPath), description: relative, file: file.fsPath });
    }
  }
  items.push({ label: "Browse…", browse: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: "plugsmith: run — sample input",
    placeHolder: "The input given to the handler",
  });
  if (picked === undefined) {
    return undefined;
  }
  if (picked.browse) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ["json"] } });
    return chosen?.[0]?.fsPath;
  }
  return picked.file ?? null;
}

function serverHasRunCommand(): boolean {
  const commands = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  return client?.state === State.Running && commands.includes(RUN_COMMAND);
}

async function runThroughServer(request: RunRequest): Promise<void> {
  const running = client!;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `plugsmith: running ${path.basename(request.path)}…`, cancellable: true },
    (_progress, token) =>
      running.sendRequest(
        ExecuteCommandRequest.type,
        { command: RUN_COMMAND, arguments: runCommandArguments(request) },
        token,
      ),
  );
  const summary = summarizeResult(result);
  runOutput.appendLine(`--- ${new Date().toISOString()} ${request.path} ${request.event ?? "(default entry)"}`);
  runOutput.appendLine(summary.details);
  const show = summary.ok
    ? vscode.window.showInformationMessage(summary.message, "Show Report")
    : vscode.window.showWarningMessage(summary.message, "Show Report");
  if ((await show) === "Show Report") {
    runOutput.show(true);
  }
}

async function runInTask(request: RunRequest, platform: Platform | undefined, folder?: vscode.WorkspaceFolder): Promise<void> {
  if (server === undefined) {
    void vscode.window.showErrorMessage("plugsmith: no server binary found, cannot run the plugin.");
    return;
  }
  const args = runCliArguments(request, platform);
  const task = new vscode.Task(
    { type: "plugsmith", path: request.path, event: request.event },
    folder ?? vscode.TaskScope.Workspace,
    `run ${path.basename(request.path)}${request.event ? ` (${request.event})` : ""}`,
    "plugsmith",
    new vscode.ProcessExecution(server.path, args, { cwd: folder?.uri.fsPath }),
  );
  await vscode.tasks.executeTask(task);
}

async function runPlugin(argument: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("plugsmith: running a plugin executes its code; trust this workspace first.");
    return;
  }
  // A code lens says exactly what to run: no questions asked.
  const fromLens = lensRequest(argument);
  if (fromLens !== undefined) {
    try {
      await runThroughServer(fromLens);
    } catch (error) {
      runOutput.appendLine(`plugsmith run failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`plugsmith run failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return;
  }
  const uri = await targetUri(argument);
  if (uri === undefined) {
    return;
  }
  if (uri.scheme !== "file") {
    void vscode.window.showWarningMessage("plugsmith: only plugins on disk can be run.");
    return;
  }
  const text = await readText(uri);
  const platform = guessPlatform(uri.fsPath, text);
  const choice = await pickEvent(platform, text);
  if (choice === undefined) {
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const input = await pickInput(folder);
  if (input === undefined) {
    return;
  }
  const request: RunRequest = { path: uri.fsPath, event: choice.event, input: input ?? undefined };
  try {
    if (serverHasRunCommand()) {
      await runThroughServer(request);
    } else {
      // Servers without the command: `plugsmith run` in a task terminal.
      await runInTask(request, platform, folder);
    }
  } catch (error) {
    runOutput.appendLine(`plugsmith run failed: ${String(error)}`);
    void vscode.window.showErrorMessage(`plugsmith run failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// --- activation -------------------------------------------------------------------------------

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("plugsmith");
  runOutput = vscode.window.createOutputChannel("plugsmith run");
  context.subscriptions.push(
    output,
    runOutput,
    vscode.commands.registerCommand("plugsmith.restartServer", restartServer),
    vscode.commands.registerCommand("plugsmith.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("plugsmith.runPlugin", runPlugin),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void restartServer();
      } else if (LIVE_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        sendSettings();
      }
    }),
    // Trusting the workspace makes its plugsmith.server.path/args apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restartServer()),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
