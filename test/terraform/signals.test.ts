// How the bundled executable meets signals, started the way Terraform starts it. Ctrl-C reaches the
// whole process group; like go-plugin's servers the provider ignores it and keeps answering, since
// Terraform stops its operations and then shuts the provider down itself. SIGTERM ends it, and its
// socket's folder goes with it, as it does after go-plugin's Shutdown. A provider whose Terraform was
// killed before it could shut it down exits by itself.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleProvider } from "../../scripts/terraform/bundle";
import { createSelfSignedCertificate } from "../../provider/terraform/self-signed-cert";
import { pluginClient, pluginEnv, startPlugin } from "./plugin-client";

jest.setTimeout(60_000);

let root: string;
let executable: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-signals-"));
  executable = path.join(root, "bin", "terraform-provider-upstack");
  fs.mkdirSync(path.dirname(executable));
  await bundleProvider(executable);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Starts the provider with a temporary folder of its own; resolves with the child, its handshake line and Terraform's certificate. */
async function start(name: string) {
  const tmp = fs.mkdtempSync(path.join(root, `${name}-`));
  const { child, exited, handshake, terraform } = startPlugin(executable, tmp);
  const line = await handshake;
  const socketDirs = (): string[] => fs.readdirSync(tmp).filter((f) => f.startsWith("upstack-plugin-"));
  return { child, exited, line, terraform, socketDirs };
}

async function schemaTypes(line: string, terraform: { keyPem: string; certPem: string }): Promise<string[]> {
  const c = pluginClient(line, terraform);
  try {
    return Object.keys((await c.call("GetProviderSchema"))["resource_schemas"] as object);
  } finally {
    c.close();
  }
}

test("SIGINT (Ctrl-C) is ignored: the provider keeps answering until Terraform shuts it down, and its socket's folder is gone after", async () => {
  const p = await start("int");
  try {
    expect(p.line.split("|")[2]).toBe("unix");
    expect(p.socketDirs()).toHaveLength(1);
    p.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(p.child.exitCode).toBeNull();
    expect(await schemaTypes(p.line, p.terraform)).toEqual(["upstack_klaviyo_destination"]);
    const controller = pluginClient(p.line, p.terraform, { service: "controller" });
    await controller.call("Shutdown");
    controller.close();
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.socketDirs()).toEqual([]);
  } finally {
    p.child.kill("SIGKILL");
  }
});

test("SIGTERM ends the provider (status 143) and removes its socket's folder", async () => {
  const p = await start("term");
  try {
    expect(await schemaTypes(p.line, p.terraform)).toEqual(["upstack_klaviyo_destination"]);
    p.child.kill("SIGTERM");
    expect(await p.exited).toEqual({ code: 143, signal: null });
    expect(p.socketDirs()).toEqual([]);
  } finally {
    p.child.kill("SIGKILL");
  }
});

/** Whether process `pid` still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("when the Terraform that started it is killed, the provider exits by itself within seconds and removes its socket's folder", async () => {
  const tmp = fs.mkdtempSync(path.join(root, "orphan-"));
  const terraform = createSelfSignedCertificate();
  // A stand-in for Terraform: a shell that starts the provider as its child and prints the child's pid.
  const parent = spawn("sh", ["-c", '"$0" & echo "pid $!"; wait', executable], { env: pluginEnv(tmp, terraform), stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  parent.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  let pid = 0;
  try {
    for (let i = 0; i < 200 && !(/^pid \d+$/m.test(out) && out.includes("|6|unix|")); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    pid = Number(/^pid (\d+)$/m.exec(out)?.[1]);
    const line = out.split("\n").find((l) => l.includes("|6|unix|")) ?? "";
    expect(await schemaTypes(line, terraform)).toEqual(["upstack_klaviyo_destination"]);
    // With its parent alive it stays (the watch looks every second).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(alive(pid)).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("upstack-plugin-"))).toHaveLength(1);
    parent.kill("SIGKILL");
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("upstack-plugin-"))).toEqual([]);
  } finally {
    parent.kill("SIGKILL");
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
  }
});
