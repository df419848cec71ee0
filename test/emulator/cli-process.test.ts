// The emulator's command line as a user runs it: the built `dist/emulator/cli.js` in its own
// process (npm test builds first). A banner URL a client can use, a busy port that says what to do,
// output piped into a reader that stops early, and an admin API that lists its own routes.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { request } from "undici";
import { ADMIN_ROUTES, adminRoutesMarkdown } from "../../emulator/admin-routes";
import { startEmulator, type RunningEmulator } from "../../emulator";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "dist", "emulator", "cli.js");

jest.setTimeout(30000);

interface Spawned {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[]): Spawned {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function until(what: string, cond: () => boolean, s: Spawned): Promise<void> {
  const deadline = Date.now() + 15000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${s.stdout()}\nstderr:\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.proc.kill("SIGTERM");
      await s.exited;
    }
  }
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

test("--host 0.0.0.0: the banner prints a loopback URL that answers, never 0.0.0.0", async () => {
  const s = startCli(["--host", "0.0.0.0", "--port", "0"]);
  running.push(s);
  await until("the banner", () => s.stdout().includes("Admin API"), s);
  const banner = s.stdout();
  expect(banner).not.toMatch(/=http:\/\/0\.0\.0\.0/);
  const m = /KLAVIYO_API_URL=(http:\/\/127\.0\.0\.1:\d+)\n/.exec(banner);
  expect(m).not.toBeNull();
  expect(banner).toContain(`UPSTACK_API_URL=${m![1]}\n`);
  const res = await request(`${m![1]}/_admin/help`);
  expect(res.statusCode).toBe(200);
  expect(((await res.body.json()) as { routes: unknown[] }).routes).toEqual(JSON.parse(JSON.stringify(ADMIN_ROUTES)));
});

test("a busy port: exit status 1 and a message saying how to pick another, no stack", async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const s = startCli(["--port", String(port)]);
    running.push(s);
    const { code } = await s.exited;
    expect(code).toBe(1);
    expect(s.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(s.stderr()).toContain("--port <n>");
    expect(s.stderr()).toContain("--port 0");
    expect(s.stderr()).not.toMatch(/^\s+at /m);
    expect(s.stdout()).toBe("");
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test("output piped into a reader that stops (| head): no EPIPE crash, a clean stop on SIGTERM", async () => {
  const s = startCli(["--port", "0", "--seed"]);
  running.push(s);
  await until("the seeded values", () => s.stdout().includes("Upstack API key"), s);
  // The reader goes away, as `head -1` does after its line.
  s.proc.stdout!.destroy();
  await new Promise((r) => setTimeout(r, 100));
  // The emulator writes again (its stop lines) into the closed pipe.
  s.proc.kill("SIGTERM");
  const { code, signal } = await s.exited;
  expect(s.stderr()).not.toContain("EPIPE");
  expect(s.stderr()).toBe("");
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});

describe("admin API routes, declared once", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(async () => {
    await emu.close();
  });

  test("GET /_admin lists the routes and where the help is", async () => {
    const res = await request(`${emu.url}/_admin`);
    const body = (await res.body.json()) as { help: string; routes: unknown[] };
    expect(body.help).toBe(`${emu.url}/_admin/help`);
    expect(body.routes).toEqual(JSON.parse(JSON.stringify(ADMIN_ROUTES)));
  });

  test("docs/emulator.md holds exactly the table the emulator serves", () => {
    const doc = readFileSync(join(ROOT, "docs", "emulator.md"), "utf8");
    const m = /<!-- admin-routes:start[^>]*-->\n([\s\S]*?)\n<!-- admin-routes:end -->/.exec(doc);
    expect(m?.[1]).toBe(adminRoutesMarkdown());
  });

  test.each(ADMIN_ROUTES.map((r) => [r.method, r.path] as const))("%s %s is routed", async (method, path) => {
    const res = await request(`${emu.url}${path.replace(/\{[^}]+\}/g, "x")}`, { method, ...(method === "GET" || method === "DELETE" ? {} : { body: "{}" }) });
    const text = await res.body.text();
    expect(text).not.toContain("No admin route");
    expect(res.statusCode).not.toBe(405);
  });

  test("refused: an unknown path, a method the path does not take, an unread query parameter, a body where none is read", async () => {
    const none = await request(`${emu.url}/_admin/klaviyo/acounts`);
    expect(none.statusCode).toBe(404);
    expect(((await none.body.json()) as { message: string }).message).toContain("GET /_admin/help");

    const method = await request(`${emu.url}/_admin/klaviyo/accounts`, { method: "DELETE" });
    expect(method.statusCode).toBe(405);
    expect(method.headers["allow"]).toBe("GET, POST");
    await method.body.text();

    const query = await request(`${emu.url}/_admin/requests?servce=klaviyo`);
    expect(query.statusCode).toBe(400);
    expect(((await query.body.json()) as { message: string }).message).toContain("servce");

    const body = await request(`${emu.url}/_admin/reset`, { method: "POST", body: '{"everything":true}' });
    expect(body.statusCode).toBe(400);
    expect(((await body.body.json()) as { message: string }).message).toContain("reads no body");
  });
});
