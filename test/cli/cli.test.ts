/**
 * The `upstack-klaviyo` command line against the emulator started in-process:
 * `main()` with injected env, stdin and captured output, and the built binary
 * spawned once. Every case checks that no key reaches the output.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { KlaviyoAccountView, KlaviyoKeyCreated } from "../../emulator/types";
import { EXIT_CODES, main, type CheckKeyResult, type CliIo } from "../../cli";
import { closedPort as portNobodyListensOn } from "../reliability/support";
import { expectNoSecrets } from "../support/world";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "dist", "cli", "index.js");

let emu: RunningEmulator;
let account: KlaviyoAccountView;
let full: KlaviyoKeyCreated;
let readOnly: KlaviyoKeyCreated;
let revoked: KlaviyoKeyCreated;
let custom: KlaviyoKeyCreated;
let closedPort: number;
const secrets: string[] = [];
const outputs: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, klaviyo: { rateLimits: false } });
  ({ account, key: full } = await emu.admin.createKlaviyoAccountWithKey({ name: "Acme Outdoor" }, { label: "UpstackData" }));
  readOnly = await emu.admin.createKlaviyoKey({ accountId: account.id, accessLevel: "read_only", label: "ro" });
  custom = await emu.admin.createKlaviyoKey({
    accountId: account.id,
    accessLevel: "custom",
    scopes: ["accounts:read", "credentials:read", "events:write", "metrics:read"],
    label: "custom",
    format: "v2",
  });
  revoked = await emu.admin.createKlaviyoKey({ accountId: account.id, label: "old" });
  await emu.admin.revokeKlaviyoKey(revoked.id);
  secrets.push(full.key, readOnly.key, custom.key, revoked.key);
  closedPort = await portNobodyListensOn();
});

afterAll(async () => {
  // Every output of the whole suite, scanned once more.
  expectNoSecrets(outputs, secrets);
  await emu.close();
});

afterEach(() => emu.faults.clear());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => CheckKeyResult;
}

/** Runs `main(argv)` with `env` (KLAVIYO_API_URL defaults to the emulator) and `stdin` text. */
async function run(argv: string[], opts: { env?: Record<string, string>; stdin?: string; tty?: boolean } = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const stdin = opts.stdin === undefined && opts.tty !== true ? undefined : Object.assign(Readable.from([opts.stdin ?? ""]), { isTTY: opts.tty });
  const io: CliIo = {
    stdin,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { KLAVIYO_API_URL: emu.url, ...opts.env },
    handleSignals: false,
  };
  const result = await main(argv, io);
  outputs.push(stdout, stderr);
  expectNoSecrets([stdout, stderr], secrets);
  return { code: result.exitCode, stdout, stderr, json: () => JSON.parse(stdout) as CheckKeyResult };
}

const hint = (k: KlaviyoKeyCreated): string => `pk_...${k.key.slice(-4)}`;

describe("check-key: valid keys (exit 0)", () => {
  test("human output names the hint, the account and how Full Access was confirmed", async () => {
    const r = await run(["check-key"], { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.stdout).toBe(
      `✓ ${hint(full)} is live, belongs to Klaviyo account ${account.id} (Acme Outdoor), Full Access confirmed: Klaviyo's key listing (GET /api/api-keys) shows the key "${full.label}" (${full.id}) with Full Access (every scope).\n`,
    );
    expect(r.stderr).toBe("");
  });

  test("--json prints exactly one object with the documented fields", async () => {
    const r = await run(["check-key", "--json", "--public-api-key", account.id], { env: { KLAVIYO_PRIVATE_KEY: `  ${full.key}\n` } });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const j = r.json();
    expect(Object.keys(j).sort()).toEqual(["accessCheck", "accountId", "accountName", "keyHint", "keyId", "keyName", "ok", "unverifiedScopes", "validatedAt"]);
    expect(j).toEqual({
      ok: true,
      keyHint: hint(full),
      accountId: account.id,
      accountName: "Acme Outdoor",
      keyId: full.id,
      keyName: full.label,
      accessCheck: expect.stringContaining("Full Access"),
      unverifiedScopes: [],
      validatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test("the key is read from the first line of stdin when KLAVIYO_PRIVATE_KEY is unset or blank", async () => {
    const r = await run(["check-key", "--json"], { stdin: `  ${full.key}  \r\nsecond line ignored\n` });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, keyHint: hint(full) });
    const blank = await run(["check-key", "--scopes", "metrics:read"], { env: { KLAVIYO_PRIVATE_KEY: "  " }, stdin: custom.key });
    expect(blank.code).toBe(0);
    expect(blank.stdout).toContain(hint(custom));
  });

  test("stdin that stays open after the first line is not waited on", async () => {
    const stdin = new PassThrough();
    stdin.write(`${full.key}\n`);
    let stdout = "";
    const result = await main(["check-key", "--json"], {
      stdin,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => undefined },
      env: { KLAVIYO_API_URL: emu.url },
    });
    outputs.push(stdout);
    expect(result.exitCode).toBe(0);
    expect(stdin.destroyed).toBe(true);
  });

  test("KLAVIYO_PRIVATE_KEY wins over stdin", async () => {
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: full.key }, stdin: revoked.key });
    expect(r.json()).toMatchObject({ ok: true, keyHint: hint(full) });
  });

  test("--scopes checks the declared scopes instead of Full Access", async () => {
    const r = await run(["check-key", "--scopes", "events:write, metrics:read"], { env: { KLAVIYO_PRIVATE_KEY: custom.key } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${hint(custom)} is live`);
    expect(r.stdout).toContain("scopes accounts:read, events:write, metrics:read confirmed");
  });

  test("--scopes with a read-only key: read scopes pass", async () => {
    const r = await run(["check-key", "--json", "--scopes", "metrics:read,profiles:read"], { env: { KLAVIYO_PRIVATE_KEY: readOnly.key } });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, unverifiedScopes: [] });
  });
});

describe("check-key: invalid or insufficient keys (exit 1)", () => {
  test("a revoked key: klaviyo_key_invalid", async () => {
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: revoked.key } });
    expect(r.code).toBe(EXIT_CODES.keyRejected);
    expect(r.json()).toEqual({
      ok: false,
      code: "klaviyo_key_invalid",
      property: "privateApiKey",
      message: expect.stringContaining(`Klaviyo rejected the key ${hint(revoked)}`),
    });
    const human = await run(["check-key"], { env: { KLAVIYO_PRIVATE_KEY: revoked.key } });
    expect(human.code).toBe(1);
    expect(human.stdout).toBe("");
    expect(human.stderr).toMatch(/^✗ the key: Klaviyo rejected the key/);
    expect(human.stderr).toContain("(klaviyo_key_invalid)");
  });

  test("a read-only key: klaviyo_key_not_full_access", async () => {
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: readOnly.key } });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, code: "klaviyo_key_not_full_access", property: "privateApiKey" });
  });

  test("a key of another account than --public-api-key: klaviyo_account_mismatch", async () => {
    const r = await run(["check-key", "--json", "--public-api-key", "XyZ987"], { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      ok: false,
      code: "klaviyo_account_mismatch",
      property: "publicApiKey",
      message: expect.stringContaining("expected XyZ987"),
    });
  });

  test("a key lacking a declared scope: klaviyo_key_missing_scope", async () => {
    const r = await run(["check-key", "--json", "--scopes", "events:write,profiles:write"], { env: { KLAVIYO_PRIVATE_KEY: custom.key } });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, code: "klaviyo_key_missing_scope", message: expect.stringContaining("profiles:write") });
  });

  test("a malformed key fails the format check without a request and is not echoed", async () => {
    emu.clearRequests();
    const bad = "pk_" + "0123456789abcdef".repeat(2) + "zz" + "tail$";
    secrets.push(bad);
    const r = await run(["check-key", "--json"], { stdin: bad });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, code: "klaviyo_key_invalid", message: expect.stringContaining("characters a Klaviyo private key never has") });
    expect(r.stdout).not.toContain("tail");
    expect(emu.requests()).toHaveLength(0);
  });
});

describe("check-key: usage errors (exit 2)", () => {
  test.each([
    ["the key as an argument", (k: string) => ["check-key", k]],
    ["the key after --json", (k: string) => ["check-key", "--json", k]],
    ["the key as an option value", (k: string) => ["check-key", `--private-key=${k}`]],
    ["a key option with a separate value", (k: string) => ["check-key", "--key", k.slice(3)]],
  ])("%s is refused without being echoed", async (_name, argv) => {
    emu.clearRequests();
    const r = await run(argv(full.key), { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(EXIT_CODES.usage);
    const text = r.stdout + r.stderr;
    expect(text).toContain("KLAVIYO_PRIVATE_KEY");
    expect(text).toContain("stdin");
    expect(text).not.toContain(full.key.slice(3, 12));
    expect(emu.requests()).toHaveLength(0);
  });

  test("with --json the refusal is a JSON usage_error", async () => {
    const r = await run(["check-key", "--json", full.key]);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, code: "usage_error", property: "privateApiKey" });
  });

  test("no key: nothing in the environment and empty stdin", async () => {
    const r = await run(["check-key"], { stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No Klaviyo private key: set the environment variable KLAVIYO_PRIVATE_KEY, or pipe the key on stdin/);
    const none = await run(["check-key", "--json"]);
    expect(none.code).toBe(2);
    expect(none.json()).toMatchObject({ ok: false, code: "usage_error", property: "privateApiKey" });
  });

  test("no key: stdin is a terminal, so it is not read", async () => {
    const r = await run(["check-key"], { tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No Klaviyo private key");
  });

  test.each([
    [["check-key", "--bogus"], /unknown option '--bogus'/],
    [["check-key", "extra"], /too many arguments/],
    [["check-key", "--public-api-key", "abc"], /--public-api-key must be a Klaviyo Site ID/],
    [["check-key", "--scopes", "everything"], /--scopes has 1 entry that is not a Klaviyo scope/],
    [["check-key", "--scopes", ","], /--scopes is empty/],
    [
      ["check-key", "--klaviyo-url", "http://klaviyo.example.com"],
      /--klaviyo-url \(or KLAVIYO_API_URL\) http:\/\/klaviyo.example.com is refused: plain http is allowed only for loopback/,
    ],
    [["nope"], /unknown command 'nope'/],
    [["emulator", "--port", "x"], /must be a non-negative integer/],
  ])("%j → exit 2", async (argv, message) => {
    const r = await run(argv, { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(message);
  });

  test("a malformed setting is a usage error too", async () => {
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: full.key, UPSTACK_KLAVIYO_DEADLINE_MS: "soon" } });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, code: "config_invalid" });
  });
});

describe("check-key: inconclusive (exit 3)", () => {
  test("Klaviyo unreachable: klaviyo_inconclusive, quickly with a small deadline", async () => {
    const started = Date.now();
    const r = await run(["check-key", "--json", "--klaviyo-url", `http://127.0.0.1:${closedPort}`], {
      env: { KLAVIYO_PRIVATE_KEY: full.key, UPSTACK_KLAVIYO_DEADLINE_MS: "300" },
    });
    expect(r.code).toBe(EXIT_CODES.inconclusive);
    expect(r.json()).toMatchObject({ ok: false, code: "klaviyo_inconclusive", message: expect.stringContaining(`127.0.0.1:${closedPort}`) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("a CDN challenge page: klaviyo_inconclusive", async () => {
    emu.faults.add({ service: "klaviyo", path: "/api/accounts/", fault: { kind: "html403" } });
    const r = await run(["check-key"], { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/challenge page/);
    expect(r.stderr).toContain("(klaviyo_inconclusive)");
  });

  test("the beta key listing withdrawn (404): klaviyo_endpoint_gone, exit 3, says to declare --scopes, never to run again", async () => {
    const body = { errors: [{ id: "00000000-0000-4000-8000-000000000000", status: 404, code: "not_found", title: "Not found.", detail: "Not found." }] };
    emu.faults.add({ service: "klaviyo", path: "/api/api-keys", fault: { kind: "status", status: 404, body } });
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: full.key } });
    expect(r.code).toBe(EXIT_CODES.inconclusive);
    expect(r.json()).toMatchObject({
      ok: false,
      code: "klaviyo_endpoint_gone",
      message: expect.stringMatching(/changed or withdrew this beta endpoint.*Declare the scopes/),
    });
    expect(r.stdout).not.toMatch(/run again/i);
  });

  test("rate limited past the deadline: klaviyo_inconclusive", async () => {
    emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 0, fault: { kind: "status", status: 429, retryAfter: 5 } });
    const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: full.key, UPSTACK_KLAVIYO_DEADLINE_MS: "500" } });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ ok: false, code: "klaviyo_inconclusive", message: expect.stringMatching(/HTTP 429/) });
  });
});

describe("other commands", () => {
  test("--version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test("--help describes the exit codes and where the key comes from", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Exit codes:[\s\S]*0 {2}valid[\s\S]*1 {2}invalid[\s\S]*2 {2}usage[\s\S]*3 {2}inconclusive/);
    const sub = await run(["check-key", "--help"]);
    expect(sub.stdout).toContain("KLAVIYO_PRIVATE_KEY");
    expect(sub.stdout).toContain("Exit codes:");
  });

  test("emulator starts the local emulator via runEmulatorCli", async () => {
    let stdout = "";
    const result = await main(["emulator", "--port", "0", "--seed"], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => undefined },
      env: {},
      handleSignals: false,
    });
    try {
      expect(result.exitCode).toBe(0);
      expect(result.emulator).toBeDefined();
      expect(stdout).toContain(`listening on ${result.emulator!.url}`);
      const seeded = /Klaviyo private key \(Full Access\): (pk_\S+)/.exec(stdout)?.[1];
      expect(seeded).toBeDefined();
      const r = await run(["check-key", "--json"], { env: { KLAVIYO_PRIVATE_KEY: seeded!, KLAVIYO_API_URL: result.emulator!.url } });
      expect(r.json()).toMatchObject({ ok: true, accountName: "Emulated Store" });
    } finally {
      await result.emulator?.close();
    }
  });
});

describe("the built binary", () => {
  beforeAll(async () => {
    // `npm test` builds first (pretest); build here only when run directly without a build.
    if (!existsSync(BIN)) await exec("npx", ["tsc", "-p", "tsconfig.build.json"], {});
  }, 120_000);

  test("node dist/cli/index.js check-key --json validates a key from the environment", async () => {
    const r = await exec(process.execPath, [BIN, "check-key", "--json"], { KLAVIYO_PRIVATE_KEY: full.key, KLAVIYO_API_URL: emu.url });
    outputs.push(r.stdout, r.stderr);
    expectNoSecrets([r.stdout, r.stderr], secrets);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, keyHint: hint(full), accountId: account.id, accountName: "Acme Outdoor" });
  });

  test("the binary reads the key from a stdin pipe and exits although the pipe stays open", async () => {
    const child = spawn(process.execPath, [BIN, "check-key", "--json"], {
      cwd: ROOT,
      env: { PATH: process.env["PATH"] ?? "", KLAVIYO_API_URL: emu.url },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.on("error", () => undefined); // EPIPE once the CLI has stopped reading
    child.stdin.write(`${full.key}\n`); // and never ended
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.destroy();
    outputs.push(stdout, stderr);
    expectNoSecrets([stdout, stderr], secrets);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, keyHint: hint(full) });
  });

  test("the binary's exit code for a revoked key is 1", async () => {
    const r = await exec(process.execPath, [BIN, "check-key"], { KLAVIYO_PRIVATE_KEY: revoked.key, KLAVIYO_API_URL: emu.url });
    outputs.push(r.stdout, r.stderr);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(klaviyo_key_invalid)");
  });
});

/** Runs a command asynchronously (the emulator in this process must keep answering). */
function exec(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env }, timeout: 100_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
