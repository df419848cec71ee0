/** What an Upstack answer means, decided in one place (upstackError), in the words of the engine. */
import { TERRAFORM_VOCABULARY } from "../../provider/core";
import { upstackError } from "../../provider/upstack/client";
import { res } from "../support/fake-context";

const pixel = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";

test.each<[string, ReturnType<typeof res>, string, string | undefined, RegExp]>([
  ["401", res(401, { message: "invalid key" }), "upstack_unauthorized", "upstackApiKey", /refused the API key for pixel .*invalid key.*upstack:apiKey/],
  ["403", res(403, { message: "missing scope" }), "upstack_missing_scope", "upstackApiKey", /destinations:read and destinations:write/],
  ["409 made in the dashboard", res(409, { code: "owned_by_other" }), "upstack_owned_by_other", "adopt", /made in the Upstack dashboard\. Set `adopt: true`/],
  ["409 managed by another stack", res(409, { owner: "pulumi:other/prod/x" }), "upstack_owned_by_other", "adopt", /managed by pulumi:other\/prod\/x/],
  ["412", res(412), "upstack_changed_outside_pulumi", undefined, /Run `pulumi refresh` to see the change, then `pulumi up`/],
  ["400 with reasons", res(400, { message: "bad", errors: [{ path: "label", message: "too long" }] }), "upstack_rejected", undefined, /label: too long/],
  ["422", res(422, { message: "unprocessable" }), "upstack_rejected", undefined, /unprocessable/],
  ["500", res(500, { message: "boom" }), "http_error", undefined, /HTTP 500: boom.*upstack:apiUrl \(or UPSTACK_API_URL\)/],
])("%s → %s", (_name, response, code, property, message) => {
  const err = upstackError(response, "write", pixel) as Error & { code: string; property?: string; status?: number };
  expect(err.code).toBe(code);
  expect(err.property).toBe(property);
  expect(err.message).toMatch(message);
});

test("the same answers in Terraform's words", () => {
  expect(upstackError(res(409, {}), "write", pixel, TERRAFORM_VOCABULARY).message).not.toContain("adopt: true");
  expect(upstackError(res(409, {}), "write", pixel, TERRAFORM_VOCABULARY).message).toContain("Set `adopt = true`");
  expect(upstackError(res(412), "write", pixel, TERRAFORM_VOCABULARY).message).toMatch(/changed outside Terraform.*terraform plan -refresh-only/);
  expect(upstackError(res(401), "write", pixel, TERRAFORM_VOCABULARY).message).toContain('api_key in the provider "upstack" block');
});
