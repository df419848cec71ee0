// startEmulator with a wildcard host (0.0.0.0, ::) called from code: it listens on every
// interface, and the URLs it returns are the loopback address of the same family, which the
// provider's URL policy accepts and which answer; `host` still says what was listened on.
import { request } from "undici";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { checkBaseUrl } from "../../provider/transport/url-policy";

jest.setTimeout(30000);

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

describe.each([
  { host: "0.0.0.0", loopback: "127.0.0.1" },
  { host: "::", loopback: "[::1]" },
])("startEmulator({ host: $host })", ({ host, loopback }) => {
  test(`returns URLs on ${loopback} that the provider accepts and that answer`, async () => {
    const emu = await startEmulator({ host });
    running.push(emu);
    expect(emu.host).toBe(host);
    const base = `http://${loopback}:${emu.port}`;
    expect({ url: emu.url, klaviyoUrl: emu.klaviyoUrl, upstackUrl: emu.upstackUrl, adminUrl: emu.adminUrl }).toEqual({
      url: base,
      klaviyoUrl: base,
      upstackUrl: base,
      adminUrl: `${base}/_admin`,
    });
    for (const u of [emu.url, emu.klaviyoUrl, emu.upstackUrl]) expect(() => checkBaseUrl("Klaviyo", u)).not.toThrow();
    const res = await request(`${emu.adminUrl}/help`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // The typed admin client uses the same URL.
    expect((await emu.admin.createKlaviyoAccountWithKey({ name: "Wildcard Store" })).account.name).toBe("Wildcard Store");
  });
});

test("a specific host is returned as given (IPv6 in brackets)", async () => {
  const v4 = await startEmulator({ host: "127.0.0.1" });
  const v6 = await startEmulator({ host: "::1" });
  running.push(v4, v6);
  expect(v4.url).toBe(`http://127.0.0.1:${v4.port}`);
  expect(v6.url).toBe(`http://[::1]:${v6.port}`);
  expect(v6.adminUrl).toBe(`http://[::1]:${v6.port}/_admin`);
});
