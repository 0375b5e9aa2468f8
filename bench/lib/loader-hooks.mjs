// Module resolution hooks for running portal code under plain tsx (bench only; Vitest does the same
// with aliases in vitest.config.ts). Registered by bench/provision.ts before it imports any portal code.
//  - `server-only` throws unless resolved with the react-server condition: map it to an empty module.
//  - `import Credentials from "next-auth/providers/credentials"` is a CommonJS module with __esModule;
//    Node's ESM default import would give the whole exports object, so hand out its `default`.
const shims = {
  "server-only": "data:text/javascript,export{}",
  "next-auth/providers/credentials": new URL("./next-auth-credentials.mjs", import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(shims, specifier) && context.parentURL !== shims[specifier]) {
    return { url: shims[specifier], format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}
