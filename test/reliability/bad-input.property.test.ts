/**
 * Property tests of check over arbitrary inputs, and of redact(). One
 * emulator for the file: check with a malformed key never reaches the
 * network; a valid-looking random key does reach Klaviyo and must get a clean
 * failure too.
 */
import fc from "fast-check";
import * as provider from "../../provider";
import { inputSchemas } from "../../provider/core";
import type * as RedactModule from "../../provider/redact";
import { startWorld, type World } from "../support/world";
import { setEnv } from "./support";

const NAMES = ["pixelId", "privateApiKey", "publicApiKey", "enabled", "label", "scopes", "adopt", "upstackApiKey", "owner"] as const;

let world: World;
let restoreEnv: () => void = () => undefined;
beforeAll(async () => {
  restoreEnv = setEnv({
    UPSTACK_KLAVIYO_QUIET: "1",
    UPSTACK_PIXEL_ID: undefined,
    UPSTACK_KLAVIYO_TIMEOUT_MS: undefined,
    UPSTACK_KLAVIYO_DEADLINE_MS: undefined,
    // Hundreds of distinct random keys are validated here; the emulator's rate limits are off, so the
    // provider's 1/s pacing of Klaviyo's accounts endpoint (tested in request-pacer.test.ts) is turned off too.
    UPSTACK_KLAVIYO_PACE_MS: "0",
  });
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
  restoreEnv();
});

// ---- arbitraries ----------------------------------------------------------

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split("");
const HEX = "0123456789abcdef".split("");
const chars = (alphabet: string[], min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** A recognisable random body: starts with a marker no message contains, so substring checks are meaningful. */
const body = (alphabet: string[], len: number) => chars(alphabet, len - 2, len - 2).map((s) => `Qz${s}`);

const classicKey = body(ALNUM, 34).map((b) => `pk_${b}`);
const v2Key = fc.tuple(chars(ALNUM, 6, 6), chars(HEX, 34, 34)).map(([a, h]) => `pk_${a}_${h}`);
const validLookingKey = fc.oneof(classicKey, v2Key);
const malformedKey = fc.oneof(
  body(ALNUM, 20).map((b) => `pk_${b}`), // wrong length
  body(ALNUM, 34).map((b) => `pk_${b.slice(0, 17)} ${b.slice(17)}`), // inner space
  body(ALNUM, 34).map((b) => `sk_${b}`), // wrong prefix
  body(ALNUM, 34).map((b) => `pk_${b.slice(0, 30)}$%^&`), // symbols
  body(ALNUM, 34).map((b) => `pk_${b}${b}`), // doubled
  fc.string({ minLength: 8, maxLength: 60 }).map((s) => `pk_Qz${s.replace(/^[A-Za-z0-9_]/, "!")}`),
  body(ALNUM, 30), // no prefix at all
);
const upstackKey = body(HEX, 40).map((b) => `upstack_${b}`);
const malformedUpstackKey = fc.oneof(
  body(HEX, 40).map((b) => `upstack-${b}`),
  body(HEX, 40).map((b) => `upstack_${b.slice(0, 20)} ${b.slice(20)}`),
  body(HEX, 40).map((b) => `up_${b}`),
  body(HEX, 6).map((b) => `upstack_${b}`),
);
const anything = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const SCOPES = ["events:write", "profiles:read", "profiles:write", "metrics:read", "lists:read", "accounts:read"];

const arbitraryInputs = fc.record(
  {
    pixelId: fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => ` ${u.toUpperCase()} `),
      anything,
    ),
    privateApiKey: fc.oneof(validLookingKey, malformedKey, anything),
    publicApiKey: fc.oneof(chars(ALNUM, 6, 6), chars(ALNUM, 1, 12), anything),
    enabled: fc.oneof(fc.boolean(), anything),
    label: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), fc.string({ maxLength: 130 }), anything),
    scopes: fc.oneof(fc.uniqueArray(fc.constantFrom(...SCOPES), { minLength: 1 }), fc.array(fc.string(), { maxLength: 70 }), anything),
    adopt: fc.oneof(fc.boolean(), anything),
    upstackApiKey: fc.oneof(upstackKey, malformedUpstackKey, anything),
    owner: fc.oneof(fc.constant("pulumi:proj/dev/klaviyo"), anything),
  },
  { requiredKeys: [] },
);

// ---- helpers --------------------------------------------------------------

const PUBLIC_PREFIXES = ["upstack_", "upstack-", "pk_"]; // "upstack-" is in "pulumi-upstack-klaviyo"

/** Every substring of `secret` of `min`+ characters found in `text` (checked through its 8-character windows). */
function leaks(text: string, secret: unknown, min = 8): string[] {
  if (typeof secret !== "string" || secret.trim().length < min) return [];
  const s = secret.trim();
  const out: string[] = [];
  for (let i = 0; i + min <= s.length; i++) {
    const w = s.slice(i, i + min);
    // The public prefixes ("upstack_" is exactly 8 characters) are no secret: the fix texts name them.
    if (PUBLIC_PREFIXES.some((p) => p.includes(w))) continue;
    if (text.includes(w)) out.push(w);
  }
  return out;
}

function schemaValid(name: (typeof NAMES)[number], value: unknown): boolean {
  return value !== undefined && value !== null && (inputSchemas()[name] as { safeParse(v: unknown): { success: boolean } }).safeParse(value).success;
}

async function checkProperties(inputs: Record<string, unknown>): Promise<void> {
  const res = await provider.check({}, inputs); // must not throw
  const failures = res.failures ?? [];
  for (const f of failures) {
    expect(NAMES).toContain(f.property);
    expect(typeof f.reason).toBe("string");
    if (!f.reason.startsWith(f.property)) throw new Error(`reason does not start with ${f.property}: ${JSON.stringify(f.reason)}`);
    const leaked = [...leaks(f.reason, inputs["privateApiKey"]), ...leaks(f.reason, inputs["upstackApiKey"])];
    if (leaked.length > 0) throw new Error(`failure reason for ${f.property} echoes ${leaked.length} secret fragment(s)`);
  }
  // A property whose value its own schema accepts never fails on format. Only the key (and the Site ID
  // it is checked against) can fail later, live, and then only with Klaviyo's verdict.
  for (const name of NAMES) {
    if (!schemaValid(name, inputs[name])) continue;
    for (const f of failures.filter((x) => x.property === name)) {
      expect(["privateApiKey", "publicApiKey"]).toContain(name);
      expect(f.reason).toMatch(/Klaviyo|the key pk_\.\.\./);
    }
  }
  // Inputs sent back with failures never include provider-managed values.
  if (failures.length > 0) expect(res.inputs).not.toHaveProperty("keyFingerprint");
}

// ---- check ----------------------------------------------------------------

describe("check over arbitrary inputs", () => {
  test("never throws; failures name an input and start with its name; no secret is echoed; valid properties never fail on format", async () => {
    await fc.assert(fc.asyncProperty(arbitraryInputs, checkProperties), { numRuns: 2500 });
  });

  test("a malformed key never reaches the network, whatever else is given", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryInputs, malformedKey, async (inputs, key) => {
        world.emu.clearRequests();
        await checkProperties({ ...inputs, privateApiKey: key });
        const res = await provider.check({}, { pixelId: world.pixelId, owner: "pulumi:p/s/n", privateApiKey: key });
        expect(res.failures).toEqual([{ property: "privateApiKey", reason: expect.stringMatching(/^privateApiKey /) }]);
        expect(world.emu.requests()).toHaveLength(0);
      }),
      { numRuns: 800 },
    );
  });

  test("valid-looking random keys reach Klaviyo and get a clean failure; everything else valid passes", async () => {
    await fc.assert(
      fc.asyncProperty(
        validLookingKey,
        fc.option(upstackKey, { nil: undefined }),
        fc.option(fc.uniqueArray(fc.constantFrom(...SCOPES), { minLength: 1 }), { nil: undefined }),
        // eslint-disable-next-line no-control-regex -- labels without control characters
        fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim().length > 0 && !/[\u0000-\u001f\u007f]/.test(s)),
        async (key, upstackApiKey, scopes, label) => {
          world.emu.clearRequests();
          const inputs: Record<string, unknown> = { pixelId: world.pixelId, privateApiKey: key, owner: "pulumi:p/s/n", label };
          if (upstackApiKey !== undefined) inputs["upstackApiKey"] = upstackApiKey;
          if (scopes !== undefined) inputs["scopes"] = scopes;
          await checkProperties(inputs);
          const res = await provider.check({}, inputs);
          expect(res.failures).toEqual([
            { property: "privateApiKey", reason: expect.stringMatching(/^privateApiKey: Klaviyo rejected the key pk_\.\.\.\w{4} \(HTTP 401/) },
          ]);
          expect(world.emu.requests().length).toBeGreaterThan(0);
          expect(world.emu.requests({ service: "upstack" })).toHaveLength(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("the real key with arbitrary valid settings passes with no failure at all", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constant(world?.account.id ?? ""), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        // eslint-disable-next-line no-control-regex -- labels without control characters
        fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim().length > 0 && !/[\u0000-\u001f\u007f]/.test(s)),
        fc.option(upstackKey, { nil: undefined }),
        async (publicApiKey, enabled, adopt, label, upstackApiKey) => {
          const inputs: Record<string, unknown> = { pixelId: world.pixelId, privateApiKey: world.key.key, owner: "pulumi:p/s/n", enabled, adopt, label };
          if (publicApiKey !== undefined) inputs["publicApiKey"] = world.account.id;
          if (upstackApiKey !== undefined) inputs["upstackApiKey"] = upstackApiKey;
          const res = await provider.check({}, inputs);
          expect(res.failures ?? []).toEqual([]);
          expect(res.inputs).toMatchObject({ enabled, adopt, label: label.trim() });
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- redact -----------------------------------------------------------------

describe("redact", () => {
  // A fresh copy of the module: the check properties above registered thousands of random values as
  // secrets, and one of them being a prefix of a generated key would trip the bug recorded below.
  let redact: typeof RedactModule.redact;
  let registerSecret: typeof RedactModule.registerSecret;
  beforeEach(() => {
    jest.isolateModules(() => {
      const m = require("../../provider/redact") as typeof RedactModule;
      redact = m.redact;
      registerSecret = m.registerSecret;
    });
  });
  const anyKey = fc.oneof(
    classicKey,
    v2Key,
    upstackKey,
    body(ALNUM, 12).map((b) => `pk_${b}`),
    body(ALNUM, 8).map((b) => `upstack_${b}`),
  );
  const around = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom("Authorization: Klaviyo-API-Key ", "x-api-key: ", '{"privateApiKey":"', "key=", "\n"),
  );

  test("any text containing a pk_/upstack_ key comes out without it (and without any 8-character piece of its body)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(around, anyKey), { minLength: 1, maxLength: 4 }), around, (parts, tail) => {
        const text = parts.map(([a, k]) => a + k).join("") + tail;
        const out = redact(text);
        for (const [, k] of parts) {
          expect(out).not.toContain(k);
          const b = k.replace(/^(pk_|upstack_)/, "");
          for (let i = 0; i + 8 <= b.length; i++) if (out.includes(b.slice(i, i + 8))) throw new Error("a piece of the key survived");
        }
        expect(out).toContain("[REDACTED]");
      }),
      { numRuns: 3000 },
    );
  });

  test("redact is idempotent and leaves key-free text alone", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        fc.pre(!/pk_|upstack_|authorization|x-api-key|klaviyo-api-key/i.test(s));
        const once = redact(s);
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  test("a registered secret of any shape is removed, in any context", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8 && !s.includes("[REDACTED]")),
        around,
        around,
        (secret, a, b) => {
          registerSecret(secret);
          expect(redact(a + secret + b)).not.toContain(secret.trim());
        },
      ),
      { numRuns: 500 },
    );
  });

  // Regression: registered values used to be replaced before the patterns ran, so a registered prefix of
  // a key (a truncated paste) left the rest of the key behind. Matches are now merged on the original text.
  test("a registered prefix of a key does not let the rest of the key through", () => {
    const full = "pk_RegPrefix01AbCdEfGhIjKlMnOpQrStUv";
    registerSecret(full.slice(0, 12)); // "pk_RegPrefix": what a truncated paste registers
    const out = redact(`Authorization-ish text ${full} end`);
    expect(out).not.toContain(full.slice(12));
  });
});
