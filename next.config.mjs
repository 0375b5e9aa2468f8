import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native parts stay outside the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pino", "pino-pretty", "mysql2", "ioredis", "bullmq"],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm test` type-checks the whole tree (tsc --noEmit) as its own phase; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default withNextIntl(nextConfig);
