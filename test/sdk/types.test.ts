/** The SDK's types are generated from the resource's shape and cannot drift from it. */
import { readFileSync } from "node:fs";
import { renderSdkTypes, SDK_TYPES_FILE } from "../../scripts/sdk-types";
import { DESTINATION_INPUTS, PUBLIC_OUTPUT_NAMES } from "../../provider/core/shape";

test("sdk/types.ts is exactly what provider/core/shape.ts generates (run `npm run gen:sdk` after changing the shape)", () => {
  expect(readFileSync(SDK_TYPES_FILE, "utf8")).toBe(renderSdkTypes());
});

test("every user input of the shape is an SDK argument, and every public output a declared output", () => {
  const text = readFileSync(SDK_TYPES_FILE, "utf8");
  for (const [name, spec] of Object.entries(DESTINATION_INPUTS)) {
    if ("setByEngine" in spec) expect(text).not.toMatch(new RegExp(`^  ${name}\\??:`, "m"));
    else expect(text).toMatch(new RegExp(`^  ${name}${spec.presence === "required" ? "" : "\\?"}: pulumi\\.Input<`, "m"));
  }
  for (const name of PUBLIC_OUTPUT_NAMES) expect(text).toContain(`declare public readonly ${name}: pulumi.Output<`);
});
