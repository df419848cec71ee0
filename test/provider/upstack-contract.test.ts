/**
 * The provider follows openapi/upstack-klaviyo-destination.json exactly: the ETag header (not the
 * body) is the precondition it sends back; an update adopts only when asked (or on its own rename,
 * conditionally); a delete is conditional on the recorded ETag and, on 412, tells "gone",
 * "someone else's" and "changed outside Pulumi" apart. Every request and answer of these tests is
 * also validated against the document (the world's contract watch).
 */
import * as provider from "../../provider";
import { ContractValidator } from "../../provider/upstack/contract-validator";
import { checked, createOne, rejectionOf, startWorld, type World } from "../support/world";

let world: World;
afterEach(async () => {
  await world.close();
});

describe("the ETag header is the source of the precondition", () => {
  test("a server whose body etag is unquoted: outputs keep the header's tag and a rotation's If-Match matches", async () => {
    world = await startWorld({ klaviyo: { rateLimits: false }, upstack: { wrongReadings: ["unquoted-etag-in-body"] } });
    const { id, outs, inputs } = await createOne(world);
    const held = await world.emu.admin.getDestination(world.pixelId);
    expect(outs["etag"]).toBe(held!.etag);
    expect(outs["etag"]).toMatch(/^"[0-9a-f]+"$/);
    const next = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
    world.remember(next.key);
    const news = await checked(outs, { ...inputs, privateApiKey: next.key });
    const res = await provider.update(id, outs, news);
    expect(res.outs).toMatchObject({ destinationId: id });
    expect(
      world.emu
        .requests()
        .filter((r) => r.method === "PUT")
        .map((r) => r.status),
    ).toEqual([201, 200]);
    // The watch saw the emulator's deliberate violation, and nothing else (the provider's requests conform).
    expect(world.contract.violations.length).toBeGreaterThan(0);
    expect(world.contract.violations.filter((v) => !/ body \/etag must match pattern/.test(v))).toEqual([]);
    world.contract.violations.length = 0;
  });

  test("an answer without an ETag header is refused as a contract violation, naming the conformance kit", async () => {
    world = await startWorld();
    world.emu.faults.add({ service: "upstack", method: "PUT", fault: { kind: "status", status: 201, body: { id: "dst_abc", keyFingerprint: "sha256:00" } } });
    const err = await rejectionOf(createOne(world));
    expect(err).toMatchObject({ code: "http_error" });
    expect(err.message).toMatch(/no ETag header/);
    expect(err.message).toContain("upstack-klaviyo conformance");
  });
});

describe("an update adopts only when asked", () => {
  test("a state without an ETag does not take over a destination another stack adopted meanwhile", async () => {
    world = await startWorld();
    const { id, outs, inputs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    const { etag: _dropped, ...withoutEtag } = outs;
    const err = await rejectionOf(provider.update(id, withoutEtag, { ...inputs, label: "Mine" }));
    expect(err).toMatchObject({ code: "upstack_owned_by_other" });
    expect((await world.emu.admin.getDestination(world.pixelId))?.owner).toBe("pulumi:proj/other/klaviyo");
    const puts = world.emu.requests().filter((r) => r.method === "PUT");
    expect(puts.at(-1)?.status).toBe(409);
  });

  test("with adopt: true it takes the destination over", async () => {
    world = await startWorld();
    const { id, outs, inputs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    const { etag: _dropped, ...withoutEtag } = outs;
    const res = await provider.update(id, withoutEtag, { ...inputs, adopt: true, label: "Mine" });
    expect(res.outs).toMatchObject({ owner: inputs["owner"], label: "Mine" });
  });

  test("a rename (new owner name) adopts its own destination only at the recorded ETag", async () => {
    world = await startWorld();
    const { id, outs, inputs } = await createOne(world);
    const renamed = { ...inputs, owner: "pulumi:proj/dev/klaviyo-new" };
    const res = await provider.update(id, outs, renamed);
    expect(res.outs).toMatchObject({ owner: "pulumi:proj/dev/klaviyo-new", destinationId: id });
    // Someone else took it over since: the stale ETag stops the rename from taking it back.
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    const err = await rejectionOf(provider.update(id, res.outs as Record<string, unknown>, { ...renamed, owner: "pulumi:proj/dev/klaviyo-newer" }));
    expect(err).toMatchObject({ code: "upstack_changed_outside_pulumi" });
    expect((await world.emu.admin.getDestination(world.pixelId))?.owner).toBe("pulumi:proj/other/klaviyo");
  });
});

describe("delete is conditional on the recorded ETag", () => {
  test("changed in the dashboard since the last read: not deleted, the error says refresh first; after a refresh it deletes", async () => {
    world = await startWorld();
    const { id, outs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { label: "Edited in dashboard" });
    const err = await rejectionOf(provider.delete(id, outs));
    expect(err).toMatchObject({ code: "upstack_changed_outside_pulumi" });
    expect(err.message).toMatch(/not deleted/);
    expect(err.message).toMatch(/pulumi refresh/);
    expect(await world.emu.admin.getDestination(world.pixelId)).not.toBeNull();
    const refreshed = await provider.read(id, outs);
    await provider.delete(id, refreshed.props as Record<string, unknown>);
    expect(await world.emu.admin.getDestination(world.pixelId)).toBeNull();
    const del = world.emu.requests().filter((r) => r.method === "DELETE");
    expect(del.map((r) => r.status)).toEqual([412, 204]);
  });

  test("taken over by another stack: the 412 is followed by one read, and the destination is left in place", async () => {
    world = await startWorld();
    const { id, outs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    world.emu.clearRequests();
    await provider.delete(id, outs);
    expect(world.emu.requests().map((r) => `${r.method} ${r.status}`)).toEqual(["DELETE 412", "GET 200"]);
    expect(await world.emu.admin.getDestination(world.pixelId)).not.toBeNull();
  });

  test("the request carries If-Match with the recorded ETag and the owner", async () => {
    const seen: { headers: Record<string, string>; query: Record<string, string> }[] = [];
    world = await startWorld({
      klaviyo: { rateLimits: false },
      upstack: { observe: (x) => (x.method === "DELETE" ? seen.push({ headers: x.requestHeaders, query: x.query }) : undefined) },
    });
    const { id, outs } = await createOne(world);
    await provider.delete(id, outs);
    expect(seen).toEqual([{ headers: expect.objectContaining({ "if-match": outs["etag"] }), query: { owner: outs["owner"] } }]);
    expect(await world.emu.admin.getDestination(world.pixelId)).toBeNull();
  });
});

describe("the contract validator can fail", () => {
  const v = new ContractValidator();
  const P = "/destinations/api/klaviyo";
  const headers = {
    "x-api-key": "upstack_x",
    "x-pixel-id": "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f",
    "content-type": "application/json",
    "idempotency-key": "k-12345678",
  };
  const body = { privateApiKey: "pk_abcdef", owner: "o", enabled: true, label: "l" };

  test("requests: a conforming PUT passes; an unknown property, a missing Idempotency-Key, a bad pixel id or media type do not", () => {
    expect(v.validateRequest({ method: "PUT", path: P, headers, body: JSON.stringify(body) })).toEqual([]);
    expect(v.validateRequest({ method: "PUT", path: P, headers, body: JSON.stringify({ ...body, status: "healthy" }) })).toEqual([
      expect.stringContaining("must NOT have additional properties"),
    ]);
    const { "idempotency-key": _k, ...noKey } = headers;
    expect(v.validateRequest({ method: "PUT", path: P, headers: noKey, body: JSON.stringify(body) })).toEqual([
      expect.stringContaining("Idempotency-Key is missing"),
    ]);
    expect(v.validateRequest({ method: "GET", path: P, headers: { ...headers, "x-pixel-id": "pixel" } })).toEqual([
      expect.stringContaining('must match format "uuid"'),
    ]);
    expect(v.validateRequest({ method: "PUT", path: P, headers: { ...headers, "content-type": "text/plain" }, body: JSON.stringify(body) })).toEqual([
      expect.stringContaining("Content-Type text/plain"),
    ]);
  });

  test("answers: an undocumented status, a missing code, a weak ETag header, a body on 204 do not pass", () => {
    const json = { "content-type": "application/json" };
    expect(v.validateResponse("GET", P, { status: 418, headers: json, body: "{}" })).toEqual([expect.stringContaining("not documented")]);
    expect(v.validateResponse("PUT", P, { status: 412, headers: json, body: '{"message":"x"}' })).toEqual([expect.stringContaining("'code'")]);
    expect(v.validateResponse("DELETE", P, { status: 204, headers: {}, body: "x" })).toEqual([expect.stringContaining("documents none")]);
    const problems = v.validateResponse("GET", P, { status: 200, headers: { ...json, etag: 'W/"a"' }, body: "{}" });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining("header ETag must match pattern"), expect.stringContaining("must have required property 'id'")]),
    );
  });
});
