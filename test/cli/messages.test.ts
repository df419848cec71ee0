/**
 * The command line's messages, table-driven: each bad input a user can give
 * `upstack-klaviyo check-key`, with the code, the exit status, the words the
 * user needs (flags, not resource properties; no Pulumi advice) and the words
 * that must not appear — and never the key.
 */
import { Readable } from "node:stream";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { KlaviyoKeyCreated } from "../../emulator/types";
import { main, type CheckKeyResult } from "../../cli";
import { closedPort as portNobodyListensOn } from "../reliability/support";
import { expectNoSecrets } from "../support/world";

let emu: RunningEmulator;
let key: KlaviyoKeyCreated;
let closedPort: number;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, klaviyo: { rateLimits: false } });
  ({ key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Acme Outdoor" }, { label: "UpstackData" }));
  closedPort = await portNobodyListensOn();
});
afterAll(() => emu.close());
afterEach(() => emu.faults.clear());

interface Case {
  /** What the user did. */
  name: string;
  argv: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** A fault the emulator injects first. */
  fault?: Parameters<RunningEmulator["faults"]["add"]>[0];
  exit: number;
  code: string | null;
  /** The JSON `property`. */
  property?: string | null;
  /** Words the human message must have. */
  says: RegExp[];
  /** Words it must not have. */
  never?: RegExp[];
}

/** Never in a plain command line's message: resource properties, Pulumi advice. */
const NOT_PULUMI = [/privateApiKey/, /publicApiKey/, /pulumi/i, /the scopes input/];

const cases = (): Case[] => [
  {
    name: "a malformed key",
    argv: ["check-key"],
    stdin: "pk_tooShort\n",
    exit: 1,
    code: "klaviyo_key_invalid",
    property: "privateApiKey",
    says: [/the key has 11 characters, which matches no Klaviyo private key format.*Paste the whole key again/],
    never: [...NOT_PULUMI, /Create a new Full Access/],
  },
  {
    name: "a public key (Site ID) given as the key",
    argv: ["check-key"],
    env: { KLAVIYO_PRIVATE_KEY: "AbC123" },
    exit: 1,
    code: "klaviyo_key_invalid",
    says: [/the Site ID goes in --public-api-key/],
    never: NOT_PULUMI,
  },
  {
    name: "a revoked key",
    argv: ["check-key"],
    env: { KLAVIYO_PRIVATE_KEY: "REVOKED" },
    exit: 1,
    code: "klaviyo_key_invalid",
    says: [/Klaviyo rejected the key pk_\.\.\.\w{4}/, /pass it in KLAVIYO_PRIVATE_KEY or on stdin/],
    never: NOT_PULUMI,
  },
  {
    name: "the key in argv",
    argv: ["check-key", "KEY"],
    exit: 2,
    code: "usage_error",
    property: "privateApiKey",
    says: [/Refusing a Klaviyo private key passed as a command-line argument/, /KLAVIYO_PRIVATE_KEY/, /stdin/],
    never: NOT_PULUMI,
  },
  {
    name: "no key at all",
    argv: ["check-key"],
    stdin: "",
    exit: 2,
    code: "usage_error",
    says: [/No Klaviyo private key: set the environment variable KLAVIYO_PRIVATE_KEY, or pipe the key on stdin/],
    never: NOT_PULUMI,
  },
  {
    name: "a blank first line on stdin does not hide the key on the next",
    argv: ["check-key"],
    stdin: "\n  \nKEY\n",
    exit: 0,
    code: null,
    says: [/is live, belongs to Klaviyo account/],
  },
  {
    name: "--klaviyo-url that is not a URL",
    argv: ["check-key", "--klaviyo-url", "not-a-url"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 2,
    code: "config_invalid",
    property: "klaviyoApiUrl",
    says: [/--klaviyo-url \(or KLAVIYO_API_URL\) is not a URL/],
    never: [...NOT_PULUMI, /http_insecure_url/, /Use https/],
  },
  {
    name: "--klaviyo-url with a path",
    argv: ["check-key", "--klaviyo-url", "EMU/api"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 2,
    code: "config_invalid",
    property: "klaviyoApiUrl",
    says: [
      /--klaviyo-url \(or KLAVIYO_API_URL\) must be the base URL only, without a path/,
      /use http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:\d+\/api/,
    ],
    never: [...NOT_PULUMI, /404/, /run again/i, /inconclusive/],
  },
  {
    name: "plain http to a remote host",
    argv: ["check-key", "--klaviyo-url", "http://klaviyo.example.com"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 2,
    code: "http_insecure_url",
    property: "klaviyoApiUrl",
    says: [/--klaviyo-url \(or KLAVIYO_API_URL\) http:\/\/klaviyo\.example\.com is refused/],
    never: NOT_PULUMI,
  },
  {
    name: "an unreachable host",
    argv: ["check-key", "--klaviyo-url", "CLOSED"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY", UPSTACK_KLAVIYO_DEADLINE_MS: "300" },
    exit: 3,
    code: "klaviyo_inconclusive",
    says: [/Could not reach klaviyo at http:\/\/127\.0\.0\.1:\d+ for GET \/api\/accounts\/ \(ECONNREFUSED/, /Check the base URL and the network/],
    never: [...NOT_PULUMI, /UPSTACK_KLAVIYO_DEADLINE_MS/, /rate limited/],
  },
  {
    name: "a tiny timeout",
    argv: ["check-key"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY", UPSTACK_KLAVIYO_TIMEOUT_MS: "50", UPSTACK_KLAVIYO_DEADLINE_MS: "200" },
    fault: { service: "klaviyo", path: "/api/accounts/", times: 0, fault: { kind: "latency", ms: 1000 } },
    exit: 3,
    code: "klaviyo_inconclusive",
    says: [/did not answer GET \/api\/accounts\/ in time/, /raise UPSTACK_KLAVIYO_TIMEOUT_MS or UPSTACK_KLAVIYO_DEADLINE_MS/],
    never: NOT_PULUMI,
  },
  {
    name: "a bad --scopes entry",
    argv: ["check-key", "--scopes", "events:write,everything"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 2,
    code: "usage_error",
    property: "scopes",
    says: [/--scopes has 1 entry that is not a Klaviyo scope/],
    never: [...NOT_PULUMI, /entry that are/],
  },
  {
    name: "a key of another account than --public-api-key",
    argv: ["check-key", "--public-api-key", "XyZ987"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 1,
    code: "klaviyo_account_mismatch",
    property: "publicApiKey",
    says: [/^✗ --public-api-key: the private key .* expected XyZ987\. Use a key created in account XyZ987, or correct --public-api-key\./],
    never: NOT_PULUMI,
  },
];

let revoked: string;
beforeAll(async () => {
  const k = await emu.admin.createKlaviyoKey({ accountId: (await emu.admin.listKlaviyoAccounts())[0]!.id, label: "old" });
  await emu.admin.revokeKlaviyoKey(k.id);
  revoked = k.key;
});

/** Replaces the placeholders of a case with this run's values. */
function fill(text: string): string {
  return text.replace("REVOKED", revoked).replace("KEY", key.key).replace("EMU", emu.url).replace("CLOSED", `http://127.0.0.1:${closedPort}`);
}

async function run(c: Case, json: boolean): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const env = Object.fromEntries(Object.entries({ KLAVIYO_API_URL: emu.url, ...c.env }).map(([k, v]) => [k, fill(v)]));
  const argv = [...c.argv.map(fill), ...(json ? ["--json"] : [])];
  const result = await main(argv, {
    stdin: c.stdin === undefined ? undefined : Readable.from([fill(c.stdin)]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    handleSignals: false,
  });
  expectNoSecrets([stdout, stderr], [key.key, revoked]);
  return { exit: result.exitCode, stdout, stderr };
}

describe.each(cases().map((c) => [c.name, c] as const))("%s", (_name, c) => {
  test("human: exit status, the words a user needs, none that mislead, no key", async () => {
    if (c.fault) emu.faults.add(c.fault);
    const r = await run(c, false);
    expect(r.exit).toBe(c.exit);
    const text = c.exit === 0 ? r.stdout : r.stderr;
    for (const s of c.says) expect(text).toMatch(s);
    for (const s of c.never ?? []) expect(text).not.toMatch(s);
    if (c.code !== null && c.code !== "usage_error") expect(r.stderr).toContain(`(${c.code})`);
  });

  test("--json: the code and the property", async () => {
    if (c.fault) emu.faults.add(c.fault);
    const r = await run(c, true);
    expect(r.exit).toBe(c.exit);
    const j = JSON.parse(r.stdout) as CheckKeyResult;
    if (c.code === null) expect(j.ok).toBe(true);
    else {
      expect(j).toMatchObject({ ok: false, code: c.code });
      if (c.property !== undefined) expect((j as { property: string | null }).property).toBe(c.property);
    }
    expect(r.stderr).toBe("");
  });
});

describe("quiet mode", () => {
  const retried: Case = {
    name: "a 503 then success",
    argv: ["check-key"],
    env: { KLAVIYO_PRIVATE_KEY: "KEY" },
    exit: 0,
    code: null,
    says: [],
  };
  test("a retry prints a progress line to stderr", async () => {
    emu.faults.add({ service: "klaviyo", path: "/api/accounts/", fault: { kind: "status", status: 503, retryAfter: 0 } });
    const r = await run(retried, false);
    expect(r.exit).toBe(0);
    expect(r.stderr).toMatch(/^ {2}klaviyo: GET \/api\/accounts\/ got HTTP 503; retrying in \d+\.\d s \(attempt 2\)\.\n$/);
  });

  test("UPSTACK_KLAVIYO_QUIET=1 silences it; the verdict still prints", async () => {
    emu.faults.add({ service: "klaviyo", path: "/api/accounts/", fault: { kind: "status", status: 503, retryAfter: 0 } });
    const r = await run({ ...retried, env: { ...retried.env, UPSTACK_KLAVIYO_QUIET: "1" } }, false);
    expect(r.exit).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/is live/);
  });
});
