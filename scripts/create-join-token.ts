// Prints a one-time host join token (what Hosts → Add host does), for the local agent of an
// all-in-one install. The token is valid for JOIN_TOKEN_TTL_SECONDS and works once.
import { createDatabase } from "../server/db/client";
import { issueJoinToken } from "../server/domain/hosts/join-host";
import { env } from "../server/env";

const { db, pool } = createDatabase(env.DATABASE_URL);
try {
  const { token } = await issueJoinToken(db, env.JOIN_TOKEN_TTL_SECONDS);
  process.stdout.write(token);
} finally {
  await pool.end();
}
