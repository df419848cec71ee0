import { redact, redactError, registerSecret } from "../../provider/redact";

const KEY = "pk_" + "9f".repeat(17);

test("redactError survives errors whose message cannot be written (DOMException) anywhere in the cause chain", () => {
  const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
  const outer = new Error(`request with Klaviyo-API-Key ${KEY} failed`, { cause: new Error("inner", { cause: timeout }) });
  expect(() => redactError(outer)).not.toThrow();
  expect(outer.message).not.toContain(KEY);
  expect(((outer.cause as Error).cause as Error).name).toBe("TimeoutError");
});

test("a read-only cause that holds a secret is replaced by a redacted copy", () => {
  registerSecret("pk_readonly_secret_value");
  const cause = new Error("x");
  Object.defineProperty(cause, "message", { get: () => "boom pk_readonly_secret_value", configurable: true });
  const outer = new Error("outer", { cause });
  redactError(outer);
  const replaced = outer.cause as Error;
  expect(replaced).not.toBe(cause);
  expect(replaced.message).toBe("boom [REDACTED]");
  expect(redact(String(replaced.stack))).toBe(String(replaced.stack));
});

test("Terraform's setting names upstack_api_key(s) are words, not keys; a key that starts the same way is still redacted", () => {
  expect(redact("set the provider's upstack_api_key (or upstack_api_keys)")).toBe("set the provider's upstack_api_key (or upstack_api_keys)");
  expect(redact("key upstack_api_key_0123456789abcdef leaked")).toBe("key [REDACTED] leaked");
  expect(redact("key upstack_api_keys0123456789 leaked")).toBe("key [REDACTED] leaked");
});
