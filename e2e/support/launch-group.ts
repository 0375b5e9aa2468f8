// Students launch from their class's catalogue: a spec whose user launches gives them a class first,
// through the real API (as the signed-in superAdm): the demo image and every public flavor listed.
import type { APIRequestContext } from "@playwright/test";
import { uniqueName } from "./actions";
import { callTrpc } from "./trpc";

export const DEMO_IMAGE = "eduCloud test guest";

/**
 * Makes a class group with the demo image and all public flavors in its catalogue and puts the users in
 * it. `request` must be signed in as a superAdm. Returns the group's id.
 */
export async function giveLaunchGroup(request: APIRequestContext, userIds: number[]): Promise<number> {
  const group = await callTrpc<{ id: number }>(
    request,
    "groups.create",
    { name: uniqueName("e2e-class"), kind: "class" },
    "mutation",
  );
  const { items: images } = await callTrpc<{ items: { id: string; name: string; visibility: string }[] }>(
    request,
    "images.list",
    { search: DEMO_IMAGE, limit: 500 },
    "query",
  );
  const flavors = await callTrpc<{ id: number; groupId: number | null }[]>(
    request,
    "flavors.list",
    undefined,
    "query",
  );
  await callTrpc(request, "groups.setMembers", { id: group.id, userIds }, "mutation");
  await callTrpc(
    request,
    "classes.setCatalogue",
    {
      id: group.id,
      imageIds: images.filter((i) => i.name === DEMO_IMAGE && i.visibility === "public").map((i) => i.id),
      flavorIds: flavors.filter((f) => f.groupId === null).map((f) => f.id),
    },
    "mutation",
  );
  return group.id;
}

/** users.create as the signed-in superAdm, in a launch group: returns the new account's id. */
export async function createStudentWhoLaunches(
  request: APIRequestContext,
  account: { username: string; displayName: string; password: string; role: "user" | "powerUser" },
): Promise<number> {
  const user = await callTrpc<{ id: number }>(
    request,
    "users.create",
    { ...account, groupIds: [] },
    "mutation",
  );
  await giveLaunchGroup(request, [user.id]);
  return user.id;
}
