// See loader-hooks.mjs: the provider's CommonJS `exports.default`, as bundlers and Vitest hand it out.
import { createRequire } from "node:module";

const mod = createRequire(import.meta.url)("next-auth/providers/credentials");
export default mod.default ?? mod;
