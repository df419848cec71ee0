/**
 * The SDK under Pulumi's mocks: what the resource registers, and the real
 * serialized provider text (the `__provider` input the engine stores).
 */
import * as pulumi from "@pulumi/pulumi";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
      return { id: `${args.name}-id`, state: { ...args.inputs, destinationId: `${args.name}-id`, keyHint: "pk_...abcd" } };
    },
    call: () => ({}),
  },
  "shop-infra",
  "prod",
);

const sdk = require("pulumi-upstack-klaviyo") as typeof import("../../sdk");
const FAKE_KEY = "pk_" + "c0ffee".repeat(5) + "beef";
const PIXEL = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";

/** How the mock monitor receives a secret input. */
function secretOf(value: string): Record<string, string> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

function output<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

beforeEach(() => {
  registered.length = 0;
});

test("the package name resolves to the built SDK, and the provider entry to the handler object", () => {
  const handlers = require("pulumi-upstack-klaviyo/provider") as Record<string, unknown>;
  for (const m of ["configure", "check", "diff", "create", "update", "read", "delete"]) expect(typeof handlers[m]).toBe("function");
  expect(require.resolve("pulumi-upstack-klaviyo")).toMatch(/dist\/sdk\/index\.js$/);
});

test("registers a dynamic resource whose __provider is the thin shim: < 1 KB, no path, no secret", async () => {
  const dest = new sdk.UpstackKlaviyoDestination("klaviyo", { pixelId: PIXEL, privateApiKey: pulumi.secret(FAKE_KEY) });
  await output(dest.urn);
  expect(registered).toHaveLength(1);
  const r = registered[0]!;
  expect(r.type).toBe("pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination");
  const text = r.inputs["__provider"];
  expect(typeof text).toBe("string");
  const providerText = text as string;
  expect(Buffer.byteLength(providerText)).toBeLessThan(1024);
  expect(providerText).toBe(sdk.PROVIDER_TEXT);
  expect(providerText).toContain('require("pulumi-upstack-klaviyo/provider")');
  expect(providerText).not.toMatch(/\/work\/|\/home\/|\/tmp\/|[A-Z]:\\/);
  expect(providerText).not.toContain(FAKE_KEY);
  expect(providerText).not.toMatch(/pk_|upstack_/);
  // The host loads it as a module and calls handler(): prove the text does that from here.
  const mod: { exports: { handler?: () => Record<string, unknown> } } = { exports: {} };
  new Function("exports", "require", "module", providerText)(mod.exports, require, mod);
  const handlers = mod.exports.handler!();
  expect(typeof handlers["check"]).toBe("function");
});

test("inputs: owner from project/stack/name, the key passed through (secret), outputs declared", async () => {
  const dest = new sdk.UpstackKlaviyoDestination("store-a", { pixelId: PIXEL, privateApiKey: pulumi.secret(FAKE_KEY), label: "Store A", enabled: false });
  await output(dest.urn);
  expect(registered[0]!.inputs).toMatchObject({
    owner: "pulumi:shop-infra/prod/store-a",
    pixelId: PIXEL,
    privateApiKey: secretOf(FAKE_KEY),
    label: "Store A",
    enabled: false,
  });
  expect(await output(dest.keyHint)).toBe("pk_...abcd");
  expect(await output(dest.destinationId)).toBe("store-a-id");
});

test("a plain-string key is made secret, with a warning", async () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
  const dest = new sdk.UpstackKlaviyoDestination("plain", { pixelId: PIXEL, privateApiKey: FAKE_KEY });
  await output(dest.urn);
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/plain string; it has been made secret/));
  expect(warn.mock.calls.flat().join(" ")).not.toContain(FAKE_KEY);
  warn.mockRestore();
  expect(registered[0]!.inputs["privateApiKey"]).toEqual(secretOf(FAKE_KEY));
});

test("a per-resource Upstack key is made secret too", async () => {
  const upstackKey = "upstack_" + "ab".repeat(20);
  const dest = new sdk.UpstackKlaviyoDestination("multi", { pixelId: PIXEL, privateApiKey: pulumi.secret(FAKE_KEY), upstackApiKey: upstackKey });
  await output(dest.urn);
  expect(registered[0]!.inputs["upstackApiKey"]).toEqual(secretOf(upstackKey));
});
