import { createLogger } from "../../provider/log";

test("progress lines are redacted and capped at 30 a minute, with one line saying so", () => {
  const written: string[] = [];
  const logger = createLogger({ write: (line) => written.push(line), now: () => 1_000_000 });
  for (let i = 0; i < 100; i++) logger.info(`retry ${i} with Klaviyo-API-Key pk_${"ab12".repeat(8)}cd`);
  expect(written).toHaveLength(31);
  expect(written[30]).toMatch(/more than 30 progress lines this minute/);
  expect(written.join("")).not.toMatch(/ab12ab12/);
  expect(written[0]).toBe("[pulumi-upstack-klaviyo] info: retry 0 with Klaviyo-API-Key [REDACTED]\n");
});

test("the cap opens again after a minute", () => {
  const written: string[] = [];
  let t = 0;
  const logger = createLogger({ write: (line) => written.push(line), now: () => t });
  for (let i = 0; i < 40; i++) logger.info(`line ${i}`);
  t += 60_001;
  logger.info("after a minute");
  expect(written[written.length - 1]).toContain("after a minute");
});

test("quiet drops progress but never warnings", () => {
  const written: string[] = [];
  const logger = createLogger({ write: (line) => written.push(line), quiet: true });
  logger.info("retrying");
  logger.warn("left in place");
  expect(written).toEqual(["[pulumi-upstack-klaviyo] warning: left in place\n"]);
});
