// ESLint for the whole tree (`npm run lint:eslint`). Formatting is Prettier's job and imports between parts
// of the tree are dependency-cruiser's (.dependency-cruiser.cjs); this file catches mistakes in the code.
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// The few globals our plain JavaScript files (configs, bench loader hooks, scripts) use; TypeScript files
// get theirs from the type checker, so `no-undef` is off for them (as typescript-eslint recommends).
const nodeGlobals = Object.fromEntries(
  [
    "process",
    "console",
    "Buffer",
    "URL",
    "URLSearchParams",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "setImmediate",
    "fetch",
    "AbortController",
    "TextEncoder",
    "TextDecoder",
    "structuredClone",
    "globalThis",
  ].map((name) => [name, "readonly"]),
);

export default defineConfig(
  {
    ignores: [
      "node_modules/",
      ".next/",
      "var/",
      "e2e/.artifacts/",
      "test-results/",
      "playwright-report/",
      "db/migrations/",
      "public/",
      "next-env.d.ts",
      // Generated from the OpenAPI document by scripts/gen-api-types.ts (gitignored).
      "server/testing/generated/",
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { ...nodeGlobals, module: "writable", require: "readonly", __dirname: "readonly" },
    },
  },
  {
    rules: {
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
      // Unused names starting with "_" are deliberate: a parameter a callback must accept, or a property
      // taken out of an object with a rest pattern.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // The only control characters in our regular expressions are deliberate: they strip them from names
      // and serial output before those reach QEMU or the browser.
      "no-control-regex": "off",
    },
  },
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      // `import type` says at a glance that nothing runs; the dependency rules let app/ import the tRPC
      // AppRouter only that way. `typeof import("…")` in a type position is type-only too.
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
    },
  },
  // Type-aware: an unhandled rejection ends the portal or agent process (Node's default), so every promise
  // is awaited, returned, or explicitly voided/caught.
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL(".", import.meta.url)) },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // React's event props accept async handlers (the handler's errors are reported by react-query or
      // caught inside); elsewhere a promise where a void callback is expected is a lost rejection.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
    },
  },
);
