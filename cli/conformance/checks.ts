/**
 * The conformance checks: black-box tests of openapi/upstack-klaviyo-destination.json against any
 * server, each on the one pixel given. Every check arranges the state it needs with probes, so one
 * failure does not cascade into the next check; every answer to a request under test is validated
 * against the document (status documented, body schema, stable `code`, required headers) before the
 * check's own rules are applied.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { type CheckContext, type DestinationBody, fingerprintOf, pause } from "./check-context";

/** One check. */
export interface ConformanceCheck {
  /** Stable id (what `--json` reports and tests assert). */
  readonly id: string;
  /** What the contract says, in one line. */
  readonly title: string;
  /** Runs it; throws {@link CheckFailure} at the first rule that does not hold. */
  run(ctx: CheckContext): Promise<void>;
}

const STALE = '"conformance-stale-version"';

function dest(json: unknown): DestinationBody {
  return (json ?? {}) as DestinationBody;
}

/** The checks, in the order they run. */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: "authentication",
    title: "a missing or unknown x-api-key is refused with 401 unauthorized",
    async run(ctx) {
      ctx.expectStatus(await ctx.act({ method: "GET", apiKey: null }), 401, "unauthorized");
      const unknownKey = `upstack_conformance${randomUUID().replace(/-/g, "")}`;
      ctx.expectStatus(await ctx.act({ method: "GET", apiKey: unknownKey }), 401, "unauthorized");
    },
  },
  {
    id: "pixel-scoping",
    title: "the key is refused (401 unauthorized) for a pixel it is not scoped to",
    async run(ctx) {
      ctx.expectStatus(await ctx.act({ method: "GET", pixelId: randomUUID() }), 401, "unauthorized");
    },
  },
  {
    id: "not-found",
    title: "without a destination, GET and DELETE answer 404 not_found (DELETE whatever its If-Match)",
    async run(ctx) {
      await ctx.ensureAbsent();
      ctx.expectStatus(await ctx.act({ method: "GET" }), 404, "not_found");
      const del = await ctx.act({ method: "DELETE", query: { owner: ctx.run.owner }, headers: { "if-match": STALE } });
      ctx.expectStatus(del, 404, "not_found");
    },
  },
  {
    id: "request-validation",
    title: "a PUT without Idempotency-Key (400), with an invalid body (400 + errors) or not JSON (415) is refused",
    async run(ctx) {
      await ctx.ensureAbsent();
      const f = { owner: ctx.run.owner, privateApiKey: ctx.run.key };
      ctx.expectStatus(await ctx.act({ ...ctx.put(f), headers: {} }), 400, "idempotency_key_required");
      const invalid = await ctx.act(ctx.put({ ...f, label: "" }));
      ctx.expectStatus(invalid, 400, "invalid_request");
      const errors = (invalid.json as { errors?: { path?: unknown }[] }).errors ?? [];
      ctx.expect(
        errors.some((e) => e.path === "label"),
        `expected errors[] to name the path "label", got ${JSON.stringify(errors.map((e) => e.path))}`,
      );
      ctx.expectStatus(await ctx.act(ctx.put(f, { "content-type": "text/plain" })), 415, "unsupported_media_type");
      const after = await ctx.current();
      ctx.expect(after.status === 404, `refused PUTs must create nothing, but GET now answers ${after.status}`);
    },
  },
  {
    id: "conditional-create",
    title: "If-Match on a pixel without a destination is false (412 precondition_failed): a conditional PUT never creates",
    async run(ctx) {
      await ctx.ensureAbsent();
      const f = { owner: ctx.run.owner, privateApiKey: ctx.run.key };
      try {
        ctx.expectStatus(await ctx.act(ctx.put(f, { "if-match": STALE })), 412, "precondition_failed");
        ctx.expectStatus(await ctx.act(ctx.put(f, { "if-match": "*" })), 412, "precondition_failed");
        const after = await ctx.current();
        ctx.expect(after.status === 404, `a refused conditional PUT must create nothing, but GET now answers ${after.status}`);
      } finally {
        await ctx.ensureAbsent();
      }
    },
  },
  {
    id: "create",
    title: "PUT on an empty pixel creates (201) and answers the destination with a strong ETag header the body's etag repeats",
    async run(ctx) {
      await ctx.ensureAbsent();
      const res = await ctx.act(ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key }, { "if-none-match": "*" }));
      ctx.expectStatus(res, 201);
      const d = dest(res.json);
      const etag = res.headers["etag"];
      ctx.expect(d.etag === etag, `the body's etag ${JSON.stringify(d.etag)} must repeat the ETag header ${JSON.stringify(etag)} character for character`);
      ctx.expect(d.keyFingerprint === fingerprintOf(ctx.run.key), "keyFingerprint must be sha256: + the hex SHA-256 of the key sent");
      ctx.expect(d.keyHint === `pk_...${ctx.run.key.slice(-4)}`, `keyHint must be pk_... + the key's last four characters, got ${JSON.stringify(d.keyHint)}`);
      ctx.expect(d.owner === ctx.run.owner, `owner must be the one sent, got ${JSON.stringify(d.owner)}`);
      ctx.expect(d.pixelId === ctx.run.pixelId && d.enabled === true, "pixelId must be the pixel's and enabled as sent");
      ctx.expect(d.publicApiKey === null && d.klaviyoAccountId === null, "omitted publicApiKey and klaviyoAccountId must be null");
      ctx.expect(Array.isArray(d.scopes) && d.scopes.length === 0, "omitted scopes must be []");
      ctx.expect(d.keyRotatedAt === d.createdAt && d.updatedAt === d.createdAt, "createdAt, updatedAt and keyRotatedAt must be the creation time");
    },
  },
  {
    id: "read",
    title: "GET answers the destination (200) with the ETag header of its current version",
    async run(ctx) {
      const { etag, body } = await ctx.ensurePresent();
      const res = await ctx.act({ method: "GET" });
      ctx.expectStatus(res, 200);
      ctx.expect(
        res.headers["etag"] === etag,
        `the ETag header ${JSON.stringify(res.headers["etag"])} must be the one the last write answered, ${JSON.stringify(etag)}`,
      );
      ctx.expect(dest(res.json).id === body.id, "the id must be the destination's");
    },
  },
  {
    id: "idempotent-replay",
    title:
      "a PUT repeated with its Idempotency-Key replays the stored answer (Idempotent-Replayed: true) before preconditions; another body with that key is 422",
    async run(ctx) {
      await ctx.ensureAbsent();
      const first = ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key }, { "if-none-match": "*" });
      const created = await ctx.act(first);
      ctx.expect(created.status === 201 || created.status === 200, `the first PUT must be applied, got ${created.status}`);
      const replay = await ctx.act(first);
      ctx.expectStatus(replay, created.status);
      ctx.expect(replay.headers["idempotent-replayed"] === "true", "a replay must carry Idempotent-Replayed: true");
      ctx.expect(replay.headers["etag"] === created.headers["etag"] && replay.text === created.text, "a replay must answer the stored ETag and body");
      const key = (first.headers ?? {})["idempotency-key"] ?? "";
      const reused = await ctx.act(ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key, label: "reused key" }, {}, key));
      ctx.expectStatus(reused, 422, "idempotency_key_reused");
      const after = await ctx.current();
      ctx.expect(after.etag === created.headers["etag"] && after.body.label !== "reused key", "a refused reuse must change nothing");

      // A write that committed but whose answer was lost is retried with its key and its If-Match, now stale.
      const update = ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key, label: "replayed update" }, { "if-match": after.etag });
      const applied = await ctx.act(update);
      ctx.expectStatus(applied, 200);
      const retried = await ctx.act(update);
      ctx.expectStatus(retried, 200);
      ctx.expect(
        retried.headers["idempotent-replayed"] === "true" && retried.headers["etag"] === applied.headers["etag"],
        "the retried write must be replayed, not re-evaluated against its stale If-Match",
      );
    },
  },
  {
    id: "no-op-write",
    title: "a PUT that changes nothing answers 200 and keeps the ETag, updatedAt and keyRotatedAt",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const f = { owner: ctx.run.owner, privateApiKey: ctx.run.key, label: "no-op probe" };
      const first = await ctx.act(ctx.put(f, { "if-match": etag }));
      ctx.expectStatus(first, 200);
      await pause(20);
      const again = await ctx.act(ctx.put(f, { "if-match": first.headers["etag"] }));
      ctx.expectStatus(again, 200);
      const a = dest(first.json);
      const b = dest(again.json);
      ctx.expect(
        again.headers["etag"] === first.headers["etag"],
        `the ETag must not change: ${JSON.stringify(first.headers["etag"])} became ${JSON.stringify(again.headers["etag"])}`,
      );
      ctx.expect(a.updatedAt === b.updatedAt && a.keyRotatedAt === b.keyRotatedAt, "updatedAt and keyRotatedAt must not change");
    },
  },
  {
    id: "conditional-update",
    title: "a PUT with If-Match of the current ETag replaces (200): same id, new ETag",
    async run(ctx) {
      const { etag, body } = await ctx.ensurePresent();
      const res = await ctx.act(ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key, label: "conditional update" }, { "if-match": etag }));
      ctx.expectStatus(res, 200);
      const d = dest(res.json);
      ctx.expect(d.id === body.id, `a replace keeps the id: ${JSON.stringify(body.id)} became ${JSON.stringify(d.id)}`);
      ctx.expect(d.label === "conditional update", "the label must be the one sent");
      ctx.expect(res.headers["etag"] !== etag, "a change must give a new ETag");
      ctx.expect((await ctx.current()).etag === res.headers["etag"], "GET must answer the new ETag");
    },
  },
  {
    id: "omitted-fields",
    title: "PUT replaces: optional fields it omits are reset (publicApiKey and klaviyoAccountId null, scopes [])",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const base = { owner: ctx.run.owner, privateApiKey: ctx.run.key };
      const set = await ctx.act(ctx.put({ ...base, publicApiKey: "AbC123", klaviyoAccountId: "AbC123", scopes: ["events:write"] }, { "if-match": etag }));
      ctx.expectStatus(set, 200);
      const s = dest(set.json);
      ctx.expect(
        s.publicApiKey === "AbC123" && s.klaviyoAccountId === "AbC123" && JSON.stringify(s.scopes) === '["events:write"]',
        "the optional fields sent must be stored",
      );
      const omitted = await ctx.act(ctx.put(base, { "if-match": set.headers["etag"] }));
      ctx.expectStatus(omitted, 200);
      const o = dest(omitted.json);
      ctx.expect(
        o.publicApiKey === null && o.klaviyoAccountId === null && Array.isArray(o.scopes) && o.scopes.length === 0,
        `omitted fields must be reset, got publicApiKey ${JSON.stringify(o.publicApiKey)}, klaviyoAccountId ${JSON.stringify(o.klaviyoAccountId)}, scopes ${JSON.stringify(o.scopes)}`,
      );
    },
  },
  {
    id: "key-rotation",
    title: "keyRotatedAt changes when, and only when, a write changes the key's fingerprint",
    async run(ctx) {
      const { etag, body } = await ctx.ensurePresent();
      await pause(20);
      const relabel = await ctx.act(ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.key, label: "rotation probe" }, { "if-match": etag }));
      ctx.expectStatus(relabel, 200);
      ctx.expect(dest(relabel.json).keyRotatedAt === body.keyRotatedAt, "a write that keeps the key must not change keyRotatedAt");
      await pause(20);
      const rotate = await ctx.act(
        ctx.put({ owner: ctx.run.owner, privateApiKey: ctx.run.otherKey, label: "rotation probe" }, { "if-match": relabel.headers["etag"] }),
      );
      ctx.expectStatus(rotate, 200);
      const r = dest(rotate.json);
      ctx.expect(
        r.keyFingerprint === fingerprintOf(ctx.run.otherKey) && r.keyHint === `pk_...${ctx.run.otherKey.slice(-4)}`,
        "fingerprint and hint must be the new key's",
      );
      ctx.expect(r.keyRotatedAt !== body.keyRotatedAt && r.keyRotatedAt === r.updatedAt, "a new key must set keyRotatedAt to the write's time (= updatedAt)");
    },
  },
  {
    id: "stale-update",
    title: "If-Match with an old, weak or unquoted tag is refused (412 precondition_failed, current etag) and changes nothing",
    async run(ctx) {
      const { etag: old } = await ctx.ensurePresent();
      const f = { owner: ctx.run.owner, privateApiKey: ctx.run.key };
      const moved = await ctx.act(ctx.put({ ...f, label: "stale probe 1" }, { "if-match": old }));
      ctx.expectStatus(moved, 200);
      const current = moved.headers["etag"] ?? "";
      const stale = await ctx.act(ctx.put({ ...f, label: "stale probe 2" }, { "if-match": old }));
      ctx.expectStatus(stale, 412, "precondition_failed");
      ctx.expect((stale.json as { etag?: unknown }).etag === current, "a 412 must carry the current ETag in etag");
      ctx.expectStatus(await ctx.act(ctx.put({ ...f, label: "stale probe 2" }, { "if-match": `W/${current}` })), 412, "precondition_failed");
      ctx.expectStatus(await ctx.act(ctx.put({ ...f, label: "stale probe 2" }, { "if-match": current.replace(/^"|"$/g, "") })), 412, "precondition_failed");
      const after = await ctx.current();
      ctx.expect(after.etag === current && after.body.label === "stale probe 1", "refused writes must change nothing");
    },
  },
  {
    id: "precedence",
    title: "when both apply, 412 (stale If-Match) is answered before 409 (another owner)",
    async run(ctx) {
      await ctx.ensurePresent();
      const res = await ctx.act(ctx.put({ owner: ctx.run.otherOwner, privateApiKey: ctx.run.key }, { "if-match": STALE }));
      ctx.expectStatus(res, 412, "precondition_failed");
    },
  },
  {
    id: "ownership",
    title: "a PUT with another owner and no adopt is refused (409 owned_by_other, naming the owner) and changes nothing",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const res = await ctx.act(ctx.put({ owner: ctx.run.otherOwner, privateApiKey: ctx.run.key }));
      ctx.expectStatus(res, 409, "owned_by_other");
      ctx.expect((res.json as { owner?: unknown }).owner === ctx.run.owner, "the 409 must name the current owner");
      const after = await ctx.current();
      ctx.expect(after.etag === etag && after.body.owner === ctx.run.owner, "a refused write must change nothing");
    },
  },
  {
    id: "adopt",
    title: "adopt: true takes the destination over (200): the owner becomes the request's, with a new ETag",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const res = await ctx.act(ctx.put({ owner: ctx.run.otherOwner, privateApiKey: ctx.run.key, adopt: true }, { "if-match": etag }));
      ctx.expectStatus(res, 200);
      ctx.expect(dest(res.json).owner === ctx.run.otherOwner, "the owner must become the adopter");
      ctx.expect(res.headers["etag"] !== etag, "a change of owner must give a new ETag");
    },
  },
  {
    id: "delete-ownership",
    title: "DELETE with another owner is refused (409 owned_by_other) and deletes nothing",
    async run(ctx) {
      await ctx.ensurePresent();
      const res = await ctx.act({ method: "DELETE", query: { owner: ctx.run.otherOwner } });
      ctx.expectStatus(res, 409, "owned_by_other");
      ctx.expect((res.json as { owner?: unknown }).owner === ctx.run.owner, "the 409 must name the current owner");
      ctx.expect((await ctx.current()).status === 200, "a refused DELETE must delete nothing");
    },
  },
  {
    id: "delete-precondition",
    title: "DELETE with a stale If-Match is refused (412 precondition_failed) and deletes nothing",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const res = await ctx.act({ method: "DELETE", query: { owner: ctx.run.owner }, headers: { "if-match": STALE } });
      ctx.expectStatus(res, 412, "precondition_failed");
      ctx.expect((res.json as { etag?: unknown }).etag === etag, "a 412 must carry the current ETag in etag");
      ctx.expect((await ctx.current()).status === 200, "a refused DELETE must delete nothing");
    },
  },
  {
    id: "delete",
    title: "DELETE by the owner at the current ETag deletes (204, no body); GET then answers 404",
    async run(ctx) {
      const { etag } = await ctx.ensurePresent();
      const res = await ctx.act({ method: "DELETE", query: { owner: ctx.run.owner }, headers: { "if-match": etag } });
      ctx.expectStatus(res, 204);
      ctx.expect((await ctx.current()).status === 404, "after a DELETE the pixel must have no destination");
    },
  },
];
