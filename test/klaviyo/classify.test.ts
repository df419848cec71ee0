/**
 * What a Klaviyo answer means (classify) and the zod schemas the client parses answers with,
 * against answers shaped as Klaviyo's spec files describe them (and as live Klaviyo is known to
 * differ: `links.next: null`, attributes added later).
 */
import { accountsAnswer, apiKeysAnswer } from "../../provider/klaviyo/answers";
import { classify } from "../../provider/klaviyo/client";
import type { HttpResponse } from "../../provider/transport/http-transport";
import { klaviyoAnswerValidator } from "../support/klaviyo-conformance";

const JSON_API = { "content-type": "application/vnd.api+json" };
const res = (status: number, body: unknown, headers: Record<string, string> = JSON_API): HttpResponse => ({ status, body, headers, attempts: 1 });
const err = (code: string, detail: string, source?: Record<string, string>) => ({
  errors: [{ id: "e1a2b3c4-0000-4000-8000-000000000000", status: 400, code, title: "Invalid input.", detail, ...(source ? { source } : {}) }],
});
const validate = klaviyoAnswerValidator();
const conforms = (operationId: string, status: number, body: unknown) =>
  validate({ operationId, method: "GET", path: "/", status, contentType: "application/vnd.api+json", body: JSON.stringify(body), customBody: false }).kind;

describe("classify", () => {
  test("a 400 naming a query parameter is a request problem, not a bad key (metrics with page[size])", () => {
    const body = err("invalid", "'page[size]' is not a valid parameter for this endpoint.", { parameter: "page[size]" });
    expect(conforms("get_metrics", 400, body)).toBe("valid"); // spec-shaped
    expect(classify(res(400, body))).toMatchObject({ ok: false, kind: "request", status: 400, parameter: "page[size]" });
  });

  test("a 400 about the revision, or a 404 'No valid revisions found', is a request problem", () => {
    expect(classify(res(400, err("invalid", "The 'revision' header is required.", { pointer: "/data/" })))).toMatchObject({
      kind: "request",
      parameter: "revision",
    });
    expect(classify(res(404, { errors: [{ id: "x", code: "not_found", title: "Not found.", detail: "No valid revisions found" }] }))).toMatchObject({
      kind: "request",
      parameter: "revision",
    });
  });

  test("401 is a rejected key; a JSON 400 about neither a parameter nor the revision too", () => {
    expect(classify(res(401, err("not_authenticated", "Incorrect authentication credentials.")))).toMatchObject({ kind: "invalid", status: 401 });
    expect(classify(res(400, err("invalid", "Something about the key.", { pointer: "/data/" })))).toMatchObject({ kind: "invalid" });
  });

  test("a JSON 403 is a missing scope; an HTML 403 or cf-mitigated is the CDN's challenge", () => {
    expect(classify(res(403, err("permission_denied", "missing scope")))).toMatchObject({ kind: "forbidden" });
    expect(classify(res(403, "<html>Just a moment...</html>", { "content-type": "text/html" }))).toMatchObject({ kind: "challenge" });
    expect(classify(res(403, err("permission_denied", "x"), { ...JSON_API, "cf-mitigated": "challenge" }))).toMatchObject({ kind: "challenge" });
  });

  test("404/410 without a revision complaint: the endpoint is gone; an HTML 400 is the CDN's; 5xx is other", () => {
    expect(classify(res(404, { errors: [{ id: "x", code: "not_found", title: "Not found.", detail: "Not found." }] }))).toMatchObject({ kind: "gone" });
    expect(classify(res(410, { errors: [{ id: "x", code: "gone", title: "Gone.", detail: "This endpoint was removed." }] }))).toMatchObject({ kind: "gone" });
    expect(classify(res(400, "<html>400 Bad Request</html>", { "content-type": "text/html" }))).toMatchObject({ kind: "other" });
    expect(classify(res(503, err("error", "down")))).toMatchObject({ kind: "other" });
    expect(classify(res(200, {}))).toEqual({ ok: true, value: true });
  });
});

const listing = (links: Record<string, unknown>) => ({
  data: [
    {
      type: "api-key",
      id: "01HQXYZ",
      attributes: { name: "UpstackData", status: "active", scopes: ["accounts:read"], created: "2022-11-08T00:00:00+00:00", redacted_key: "pk_****abcd" },
      links: { self: "https://a.klaviyo.com/api/api-keys/01HQXYZ/" },
    },
  ],
  links,
});

describe("zod schemas of the answers", () => {
  test("the spec's api-keys listing parses; links.next/prev null (live Klaviyo) and absent (the spec) alike", () => {
    const specShaped = listing({ self: "https://a.klaviyo.com/api/api-keys/" });
    expect(conforms("get_api_keys_beta", 200, specShaped)).toBe("valid");
    expect(apiKeysAnswer().safeParse(specShaped).success).toBe(true);
    expect(apiKeysAnswer().safeParse(listing({ self: "https://a.klaviyo.com/api/api-keys/", next: null, prev: null })).success).toBe(true);
  });

  test("attributes added later do not break parsing; redacted_key may be null or absent", () => {
    const body = listing({ self: "s" });
    (body.data[0]!.attributes as Record<string, unknown>)["last_used"] = "2026-01-01T00:00:00+00:00";
    expect(apiKeysAnswer().safeParse(body).success).toBe(true);
    (body.data[0]!.attributes as Record<string, unknown>)["redacted_key"] = null;
    expect(apiKeysAnswer().safeParse(body).success).toBe(true);
  });

  test("the old assumed shape (key, access_level, label, disabled) does not fit: no name, no status", () => {
    const old = {
      data: [
        {
          type: "api-key",
          id: "X",
          attributes: { label: "UpstackData", key: "pk_****abcd", access_level: "full", scopes: [], disabled: false, created: "2026-01-01T00:00:00Z" },
        },
      ],
      links: { self: "s", next: null, prev: null },
    };
    expect(conforms("get_api_keys_beta", 200, old)).toBe("invalid");
    const parsed = apiKeysAnswer().safeParse(old);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["data.0.attributes.name", "data.0.attributes.status"]));
  });

  test("an unknown status is not guessed at", () => {
    const body = listing({ self: "s" });
    (body.data[0]!.attributes as Record<string, unknown>)["status"] = "paused";
    expect(apiKeysAnswer().safeParse(body).success).toBe(false);
  });

  test("the account's Site ID is attributes.public_api_key", () => {
    const body = {
      data: [
        {
          type: "account",
          id: "AbC123",
          attributes: {
            test_account: false,
            contact_information: { default_sender_name: "A", default_sender_email: "a@example.com", organization_name: "Acme", street_address: {} },
            timezone: "US/Eastern",
            preferred_currency: "USD",
            public_api_key: "AbC123",
            locale: "en-US",
          },
          links: { self: "https://a.klaviyo.com/api/accounts/AbC123/" },
        },
      ],
      links: { self: "https://a.klaviyo.com/api/accounts/", next: null },
    };
    expect(accountsAnswer().parse(body).data[0]?.attributes.public_api_key).toBe("AbC123");
    const { public_api_key: _, ...without } = body.data[0]!.attributes;
    expect(accountsAnswer().safeParse({ ...body, data: [{ ...body.data[0], attributes: without }] }).success).toBe(false);
  });
});
