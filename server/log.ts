import pino from "pino";
import { env } from "./env";

// Structured JSON logs. Secrets are redacted by key wherever they appear in a logged object.
export const log = pino({
  level: env.LOG_LEVEL,
  base: { service: "portal" },
  redact: {
    paths: [
      "password",
      "*.password",
      "*.*.password",
      "newPassword",
      "*.newPassword",
      "currentPassword",
      "*.currentPassword",
      "passwordHash",
      "*.passwordHash",
      "ticket",
      "*.ticket",
      "token",
      "*.token",
      "secret",
      "*.secret",
      "req.headers.cookie",
      "req.headers.authorization",
    ],
    censor: "[redacted]",
  },
});
