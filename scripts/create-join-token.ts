// Prints a one-time host join token (what Hosts → Add host does), for the local agent of an
// all-in-one install. The token is valid for JOIN_TOKEN_TTL_SECONDS and works once.
// `--cluster <name>`: the host that joins with it lands in that cluster (the token decides, not the agent).
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { clusters } from "../db/schema";
import { createDatabase } from "../server/db/client";
import { issueJoinToken } from "../server/domain/hosts/join-host";
import { env } from "../server/env";

const { values } = parseArgs({ options: { cluster: { type: "string" } } });
const { db, pool } = createDatabase(env.DATABASE_URL);
try {
  let clusterId: number | null = null;
  if (values.cluster !== undefined) {
    const [row] = await db.select().from(clusters).where(eq(clusters.name, values.cluster));
    if (!row) {
      process.stderr.write(`No cluster named "${values.cluster}".\n`);
      process.exitCode = 1;
    } else clusterId = row.id;
  }
  if (!process.exitCode) {
    const { token } = await issueJoinToken(db, env.JOIN_TOKEN_TTL_SECONDS, null, null, clusterId);
    process.stdout.write(token);
  }
} finally {
  await pool.end();
}
