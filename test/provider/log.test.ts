import { logger } from "../../provider/log";

test("progress lines are redacted and capped at 30 a minute, with one line saying so", () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const saved = process.env["UPSTACK_KLAVIYO_QUIET"];
  delete process.env["UPSTACK_KLAVIYO_QUIET"];
  try {
    for (let i = 0; i < 100; i++) logger.info(`retry ${i} with Klaviyo-API-Key pk_${"ab12".repeat(8)}cd`);
  } finally {
    spy.mockRestore();
    if (saved !== undefined) process.env["UPSTACK_KLAVIYO_QUIET"] = saved;
  }
  expect(written).toHaveLength(31);
  expect(written[30]).toMatch(/more than 30 progress lines this minute/);
  expect(written.join("")).not.toMatch(/ab12ab12/);
  expect(written[0]).toBe("[pulumi-upstack-klaviyo] info: retry 0 with Klaviyo-API-Key [REDACTED]\n");
});
