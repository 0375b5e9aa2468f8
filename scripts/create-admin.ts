// Creates the first superAdm (setup runs this). EDUCLOUD_ADMIN_PASSWORD sets the password; otherwise
// one is generated and printed once.
import { createDatabase } from "../server/db/client";
import { ensureFirstAdmin } from "../server/domain/users/ensure-first-admin";
import { env } from "../server/env";
import { passwordSchema, usernameSchema } from "../server/domain/users/schemas";

const username = usernameSchema.parse(process.env.EDUCLOUD_ADMIN_USER ?? "admin");
const given = process.env.EDUCLOUD_ADMIN_PASSWORD || undefined;
if (given) {
  const check = passwordSchema.safeParse(given);
  if (!check.success) {
    console.error(`EDUCLOUD_ADMIN_PASSWORD is not acceptable: ${check.error.issues[0]?.message}`);
    process.exit(1);
  }
}

const { db, pool } = createDatabase(env.DATABASE_URL);
try {
  const r = await ensureFirstAdmin(db, { username, password: given });
  if (r.action === "created" && r.generatedPassword) {
    console.log(
      `\n  First superAdm created.\n    username: ${r.username}\n    password: ${r.generatedPassword}\n  Write it down: it is shown only this once.\n`,
    );
  } else if (r.action === "created") {
    console.log(`First superAdm "${r.username}" created with the password from EDUCLOUD_ADMIN_PASSWORD.`);
  } else if (r.action === "password-set") {
    console.log(`superAdm "${r.username}" exists; its password was set from EDUCLOUD_ADMIN_PASSWORD.`);
  } else {
    console.log(`superAdm "${r.username}" exists; left unchanged.`);
  }
} finally {
  await pool.end();
}
