/** What a Klaviyo answer means, decided in one place (classify), and Klaviyo's throttle hint. */
import { classify } from "../../provider/klaviyo/client";
import { klaviyoRetryHintMs } from "../../provider/klaviyo/throttle";
import { jsonApiError, res } from "../support/fake-context";

const html = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers: { "content-type": "text/html", ...headers },
  body: "<html>Just a moment…</html>",
  attempts: 1,
});

test.each<[string, ReturnType<typeof res>, { ok: boolean; kind?: string }]>([
  ["200", res(200, { data: [] }), { ok: true }],
  ["204", res(204), { ok: true }],
  ["JSON:API 400: the key is rejected", res(400, jsonApiError(400, "Bad key")), { ok: false, kind: "invalid" }],
  ["JSON:API 401: the key is rejected", res(401, jsonApiError(401, "Incorrect authentication credentials.")), { ok: false, kind: "invalid" }],
  ["HTML 400 (the CDN, not the API): nothing about the key", html(400), { ok: false, kind: "other" }],
  ["JSON:API 403: a scope is missing", res(403, jsonApiError(403, "You do not have permission")), { ok: false, kind: "forbidden" }],
  ["HTML 403: a CDN challenge", html(403), { ok: false, kind: "challenge" }],
  ["JSON 403 with cf-mitigated: still a challenge", res(403, jsonApiError(403, "x"), { "cf-mitigated": "challenge" }), { ok: false, kind: "challenge" }],
  ["404: the endpoint is not there", res(404, jsonApiError(404, "Not found")), { ok: false, kind: "gone" }],
  ["429 left after retries", res(429, jsonApiError(429, "Request was throttled.")), { ok: false, kind: "other" }],
  ["500", res(500), { ok: false, kind: "other" }],
])("%s", (_name, response, expected) => {
  expect(classify(response)).toMatchObject(expected);
});

test("the detail Klaviyo gave is kept", () => {
  expect(classify(res(401, jsonApiError(401, "Incorrect authentication credentials.")))).toMatchObject({ detail: "Incorrect authentication credentials." });
});

test.each<[unknown, number | undefined]>([
  [jsonApiError(429, "Request was throttled. Expected available in 7 seconds."), 7000],
  [jsonApiError(429, "Request was throttled. Expected available in 1 second."), 1000],
  [jsonApiError(429, "Request was throttled. Expected available in 2.5 seconds."), 2500],
  [jsonApiError(401, "Incorrect authentication credentials."), undefined],
  ["Expected available in 5 seconds.", undefined],
  [{ errors: [null] }, undefined],
])("throttle hint of %j → %s", (body, ms) => {
  expect(klaviyoRetryHintMs(body)).toBe(ms);
});
