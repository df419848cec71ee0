/**
 * openapi/upstack-klaviyo-destination.json itself: a valid OpenAPI 3.1 document (checked by
 * @seriousme/openapi-schema-validator against the OpenAPI Initiative's schema), in which every
 * response of every operation has a body schema (or is a 204) and every error answer a stable code.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ContractValidator, findContractFile } from "../../provider/upstack/contract-validator";

const ROOT = join(__dirname, "..", "..");
const FILE = findContractFile(__dirname);

test("is a valid OpenAPI 3.1 document", async () => {
  // The validator is an ES module; a child process imports it as one.
  const script = `import { Validator } from "@seriousme/openapi-schema-validator";
const v = new Validator();
const r = await v.validate(${JSON.stringify(FILE)});
process.stdout.write(JSON.stringify({ version: v.version, ...r }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
  expect(JSON.parse(stdout)).toEqual({ version: "3.1", valid: true });
});

test("every response of every operation has a schema, and every error a stable code", () => {
  const doc = JSON.parse(readFileSync(FILE, "utf8")) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
  const v = new ContractValidator();
  const seen: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "put", "delete"]) {
      const op = item[method];
      if (op?.responses === undefined) continue;
      for (const status of Object.keys(op.responses)) {
        const n = status === "5XX" ? 503 : Number(status);
        const where = `${method.toUpperCase()} ${status}`;
        seen.push(where);
        if (n === 204) continue;
        // A response without a body schema would let any body through: the empty object fails it.
        const problems = v.validateResponse(method.toUpperCase(), path, { status: n, headers: { "content-type": "application/json" }, body: "{}" });
        expect({ where, rejectsEmptyBody: problems.length > 0 }).toEqual({ where, rejectsEmptyBody: true });
        if (n >= 400) expect({ where, codes: v.errorCodes(method.toUpperCase(), path, n).length > 0 }).toEqual({ where, codes: true });
      }
    }
  }
  expect(seen).toEqual(
    expect.arrayContaining([
      "GET 200",
      "GET 401",
      "GET 404",
      "PUT 201",
      "PUT 400",
      "PUT 409",
      "PUT 412",
      "PUT 415",
      "PUT 422",
      "DELETE 204",
      "DELETE 404",
      "DELETE 412",
    ]),
  );
});
