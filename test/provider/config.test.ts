import { DEFAULT_KLAVIYO_API_URL, DEFAULT_UPSTACK_API_URL, resolveSettings, upstackCredentials } from "../../provider/config";
import { UpstackKlaviyoError } from "../../provider/errors";

const none = () => undefined;
const from = (map: Record<string, string>) => (k: string) => map[k];
const KEY_A = "upstack_" + "a1".repeat(20);
const KEY_B = "upstack_" + "b2".repeat(20);
const PIXEL = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";

test("defaults", () => {
  const s = resolveSettings(none, none);
  expect(s).toMatchObject({
    upstackApiUrl: DEFAULT_UPSTACK_API_URL,
    klaviyoApiUrl: DEFAULT_KLAVIYO_API_URL,
    upstackApiKey: undefined,
    pixelId: undefined,
    attemptTimeoutMs: 10_000,
    deadlineMs: 60_000,
  });
});

test("stack config wins over the environment; the environment fills what config lacks", () => {
  const s = resolveSettings(
    from({ "upstack:apiKey": KEY_A, "upstack:apiUrl": "https://upstack.example" }),
    from({ UPSTACK_API_KEY: KEY_B, UPSTACK_API_URL: "https://ignored.example", KLAVIYO_API_URL: "http://127.0.0.1:9", UPSTACK_PIXEL_ID: PIXEL.toUpperCase() }),
  );
  expect(s).toMatchObject({ upstackApiKey: KEY_A, upstackApiUrl: "https://upstack.example", klaviyoApiUrl: "http://127.0.0.1:9", pixelId: PIXEL });
});

test("per-pixel keys from upstack:apiKeys; credentials resolve resource → map → default", () => {
  const s = resolveSettings(from({ "upstack:apiKeys": JSON.stringify({ [PIXEL]: KEY_B }), "upstack:apiKey": KEY_A }), none);
  expect(upstackCredentials(s, PIXEL)).toEqual({ apiKey: KEY_B, pixelId: PIXEL });
  expect(upstackCredentials(s, "other")).toEqual({ apiKey: KEY_A, pixelId: "other" });
  expect(upstackCredentials(s, PIXEL, "upstack_resource0000")).toEqual({ apiKey: "upstack_resource0000", pixelId: PIXEL });
});

test.each([
  ["not json", /not valid JSON/],
  ["[1,2]", /must be a JSON object/],
  [JSON.stringify({ p: 5 }), /non-string key for pixel p/],
])("a malformed upstack:apiKeys (%s) is a config error that says what to write", (value, message) => {
  let error: unknown;
  try {
    resolveSettings(from({ "upstack:apiKeys": value }), none);
  } catch (e) {
    error = e;
  }
  expect(UpstackKlaviyoError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
});

test("timeouts come from the environment and must be positive integers", () => {
  expect(resolveSettings(none, from({ UPSTACK_KLAVIYO_TIMEOUT_MS: "250", UPSTACK_KLAVIYO_DEADLINE_MS: "1000" }))).toMatchObject({
    attemptTimeoutMs: 250,
    deadlineMs: 1000,
  });
  expect(() => resolveSettings(none, from({ UPSTACK_KLAVIYO_TIMEOUT_MS: "-1" }))).toThrow(/positive whole number/);
});

test("missing credentials: one message naming config and environment", () => {
  expect(() => upstackCredentials(resolveSettings(none, none), PIXEL)).toThrow(/upstack:apiKey.*UPSTACK_API_KEY.*upstackApiKey/);
});
