// Lint: typescript-eslint's recommended rules on everything, plus the project's own standards:
// no `any` in the code that ships (provider/, sdk/, emulator/, cli/).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench/results/**", "**/*.js", "**/*.mjs", "provider/terraform/tfplugin-codecs.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Tests and test tooling (tools/) may use `any` to poke at payloads; shipped code may not.
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "tools/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["provider/**/*.ts", "sdk/**/*.ts", "emulator/**/*.ts", "cli/**/*.ts", "spec/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // What goes into the provider bundle (scripts/provider-bundle.ts).
    files: ["provider/**/*.ts", "spec/**/*.ts"],
    rules: {
      // `import { z } from "zod"` makes the provider bundle keep all of zod (a namespace object it
      // cannot shake): 528 KB against 315 KB, ~8 ms more per provider host start (issue 11).
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: 'Use `import * as z from "zod"`, which the provider bundle can tree-shake (issue 11, loading cost).',
        },
      ],
    },
  },
);
