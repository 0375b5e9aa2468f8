// The REST API's resource paths: each operation is a tRPC procedure of the portal's own router, reached by
// method and path instead of by name. The procedure does the work, so REST and the UI share the input
// schema, the permission entry, the policies, the audit and the domain call: there is no second copy of a
// rule to drift. This table only says where each procedure lives in the REST tree.
import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Inputs = inferRouterInputs<AppRouter>;
/** "instances.list", "users.create", …: every procedure of the router, checked at compile time. */
export type ProcedurePath = {
  [R in keyof Inputs & string]: `${R}.${keyof Inputs[R] & string}`;
}[keyof Inputs & string];

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RestOperation {
  method: HttpMethod;
  /** Under /api/v1; `{name}` segments are fields of the procedure's input. */
  path: string;
  procedure: ProcedurePath;
  summary: string;
  /** The OpenAPI tag the reference groups it under. */
  tag: string;
  /**
   * Long work: answered 202 at once with a Location to follow. "instance": the instance's own resource
   * (its `task`, `progress` and `state` report how far it got; settled when `task` is null); "task": the
   * task named by the result's `taskId`.
   */
  follow?: "instance" | "task";
  /** Creates a resource: 201 with its Location (`{base}/{id}` of the result). */
  creates?: string;
}

function group(tag: string, ops: [HttpMethod, string, ProcedurePath, string, Partial<RestOperation>?][]) {
  return ops.map(([method, path, procedure, summary, extra]): RestOperation => ({
    method,
    path,
    procedure,
    summary,
    tag,
    ...extra,
  }));
}

const INSTANCE = { follow: "instance" } as const;

export const REST_OPERATIONS: RestOperation[] = [
  ...group("Account", [
    ["GET", "/account", "account.me", "Who the caller is: account, role, groups"],
    ["PATCH", "/account", "account.updateProfile", "Change your display name and e-mail"],
    ["PATCH", "/account/preferences", "account.updatePreferences", "Change your language and theme"],
    ["POST", "/account/sign-out-everywhere", "account.signOutEverywhere", "End all your browser sessions"],
    ["GET", "/account/tokens", "apiTokens.list", "Your API tokens (never their secrets)"],
    [
      "POST",
      "/account/tokens",
      "apiTokens.create",
      "Create an API token (with a session only; the secret is shown once)",
    ],
    ["DELETE", "/account/tokens/{id}", "apiTokens.revoke", "Revoke one of your API tokens"],
    ["GET", "/api-tokens", "apiTokens.listAll", "Every account's API tokens"],
    ["DELETE", "/api-tokens/{id}", "apiTokens.revokeAny", "Revoke anyone's API token"],
  ]),
  ...group("Users", [
    ["GET", "/users", "users.list", "List accounts"],
    ["POST", "/users", "users.create", "Create an account", { creates: "/users" }],
    ["POST", "/users/import", "users.importCsv", "Create accounts from CSV (one class at a time)"],
    ["GET", "/users/{id}", "users.get", "Read an account"],
    ["PATCH", "/users/{id}", "users.update", "Change an account's name, e-mail, role or groups"],
    ["PUT", "/users/{id}/disabled", "users.setDisabled", "Disable or enable an account"],
    ["PUT", "/users/{id}/password", "users.resetPassword", "Set an account's password"],
    ["POST", "/users/{id}/clear-sign-in-lock", "users.clearSignInLock", "Lift a sign-in lock"],
    ["POST", "/users/{id}/reset-link", "users.issueResetLink", "Make a one-time password reset link"],
    ["POST", "/users/{id}/approve", "users.approve", "Approve a pending sign-up"],
    ["POST", "/users/{id}/reject", "users.reject", "Reject a pending sign-up"],
  ]),
  ...group("Groups", [
    ["GET", "/groups", "groups.list", "List groups (classes and projects)"],
    ["POST", "/groups", "groups.create", "Create a group", { creates: "/groups" }],
    ["GET", "/groups/{id}", "groups.get", "Read a group"],
    ["PATCH", "/groups/{id}", "groups.update", "Rename or describe a group"],
    ["DELETE", "/groups/{id}", "groups.delete", "Delete a group"],
    ["PUT", "/groups/{id}/members", "groups.setMembers", "Set a group's members"],
    ["PUT", "/groups/{id}/admins", "groups.setAdmins", "Set a group's admins (teachers)"],
  ]),
  ...group("Classes", [
    ["GET", "/classes", "classes.list", "List the classes you run"],
    ["GET", "/classes/{id}", "classes.get", "Read a class: members, catalogue, machines"],
    ["POST", "/classes/{id}/members", "classes.addMembers", "Add students by username"],
    ["POST", "/classes/{id}/members/remove", "classes.removeMembers", "Remove students"],
    ["PUT", "/classes/{id}/catalogue", "classes.setCatalogue", "Set what the class may launch"],
    ["POST", "/classes/{id}/deploy", "classes.deploy", "One machine per student"],
    ["POST", "/classes/{id}/undeploy", "classes.undeploy", "Remove a class deployment"],
  ]),
  ...group("Instances", [
    ["GET", "/instances", "instances.list", "List instances"],
    ["POST", "/instances", "instances.create", "Launch an instance", { ...INSTANCE, creates: "/instances" }],
    ["GET", "/instances/launch-options", "instances.launchOptions", "What you may launch"],
    ["GET", "/instances/{id}", "instances.get", "Read an instance (state, task, progress)"],
    ["DELETE", "/instances/{id}", "instances.delete", "Delete an instance", INSTANCE],
    ["GET", "/instances/{id}/nics", "instances.nics", "An instance's network interfaces"],
    ["GET", "/instances/{id}/events", "instances.events", "An instance's history"],
    ["POST", "/instances/{id}/start", "instances.start", "Start an instance", INSTANCE],
    ["POST", "/instances/{id}/stop", "instances.stop", "Stop an instance", INSTANCE],
    ["POST", "/instances/{id}/reboot", "instances.reboot", "Reboot an instance", INSTANCE],
    ["GET", "/instances/{id}/resize-options", "instances.resizeOptions", "Flavors it may be resized to"],
    ["POST", "/instances/{id}/resize", "instances.resize", "Resize a stopped instance", INSTANCE],
    ["PUT", "/instances/{id}/owner", "instances.assign", "Give an instance to another member"],
    ["POST", "/instances/{instanceId}/console", "consoles.createTicket", "A short-lived console ticket"],
    ["GET", "/instances/{instanceId}/snapshots", "snapshots.list", "List an instance's snapshots"],
    ["POST", "/instances/{instanceId}/snapshots", "snapshots.create", "Take a snapshot"],
    ["GET", "/instances/{instanceId}/volumes", "volumes.list", "List volumes (of an instance, or all)"],
    ["POST", "/instances/{instanceId}/volumes", "volumes.create", "Create a volume for an instance"],
    [
      "POST",
      "/instances/{instanceId}/capture",
      "captures.create",
      "Capture an instance as an image",
      {
        follow: "task",
      },
    ],
    ["GET", "/instances/{instanceId}/port-forwards", "portForwards.list", "List port forwards"],
    ["POST", "/instances/{instanceId}/port-forwards", "portForwards.create", "Forward a host port"],
  ]),
  ...group("Snapshots", [
    ["POST", "/snapshots/{id}/revert", "snapshots.revert", "Revert to a snapshot"],
    ["DELETE", "/snapshots/{id}", "snapshots.delete", "Delete a snapshot"],
  ]),
  ...group("Volumes", [
    ["POST", "/volumes/{id}/attach", "volumes.attach", "Attach a volume to an instance"],
    ["POST", "/volumes/{id}/detach", "volumes.detach", "Detach a volume"],
    ["DELETE", "/volumes/{id}", "volumes.delete", "Delete a volume"],
  ]),
  ...group("Port forwards", [
    ["DELETE", "/port-forwards/{id}", "portForwards.delete", "Remove a port forward"],
  ]),
  ...group("Images", [
    ["GET", "/images", "images.list", "List images"],
    ["PATCH", "/images/{id}", "images.update", "Change an image's name, OS, minimums, visibility"],
    ["DELETE", "/images/{id}", "images.delete", "Delete an image"],
    ["GET", "/images/{id}/versions", "images.versions", "An image family's versions"],
    ["POST", "/images/{id}/sync", "images.sync", "Copy an image to hosts ahead of launches"],
    ["GET", "/images/{id}/hosts", "images.hostCache", "Which hosts hold the image"],
  ]),
  ...group("Flavors", [
    ["GET", "/flavors", "flavors.list", "List flavors"],
    ["POST", "/flavors", "flavors.create", "Create a flavor", { creates: "/flavors" }],
    ["PATCH", "/flavors/{id}", "flavors.update", "Change a flavor"],
    ["DELETE", "/flavors/{id}", "flavors.delete", "Delete a flavor"],
  ]),
  ...group("Networks", [
    ["GET", "/networks", "networks.list", "List networks"],
    ["POST", "/networks", "networks.create", "Create a network", { creates: "/networks" }],
    ["GET", "/networks/choices", "networks.choices", "Networks you may attach instances to"],
    ["GET", "/networks/usage.csv", "networks.exportUsageCsv", "Address usage as CSV"],
    ["GET", "/networks/{id}", "networks.get", "Read a network"],
    ["PATCH", "/networks/{id}", "networks.update", "Change a network's DNS, NAT or hosts"],
    ["DELETE", "/networks/{id}", "networks.delete", "Delete a network"],
    ["GET", "/networks/{networkId}/subnets", "ipam.listSubnets", "List carved subnets"],
    ["POST", "/networks/{networkId}/subnets", "ipam.carveSubnet", "Carve a subnet"],
    ["POST", "/networks/{networkId}/addresses", "ipam.allocateAddress", "Reserve an address"],
    ["POST", "/subnets/{id}/confirm", "ipam.confirmSubnet", "Confirm a carved subnet"],
    ["DELETE", "/subnets/{id}", "ipam.deleteSubnet", "Delete a subnet"],
    ["DELETE", "/addresses/{id}", "ipam.releaseAddress", "Release a reserved address"],
  ]),
  ...group("Tasks", [
    ["GET", "/tasks", "tasks.list", "List tasks (imports, syncs, captures)"],
    ["GET", "/tasks/{id}", "tasks.get", "Read a task: state, progress, result"],
  ]),
  ...group("Quotas", [
    ["GET", "/quotas/mine", "quotas.mine", "Your limits and usage"],
    ["GET", "/quotas", "quotas.listAll", "Every account's and group's limits and usage"],
    ["GET", "/quotas.csv", "quotas.exportAll", "Limits and usage as CSV"],
    ["PUT", "/quotas/roles/{role}", "quotas.setRoleDefaults", "Set a role's default limits"],
    ["GET", "/groups/{groupId}/quota", "quotas.group", "A group's limits and usage"],
    ["PUT", "/groups/{groupId}/quota", "quotas.setGroupLimits", "Set a group's limits"],
    ["PUT", "/users/{userId}/quota", "quotas.setUserLimits", "Set an account's limits"],
  ]),
  ...group("Hosts", [
    ["GET", "/hosts", "hosts.list", "List compute hosts"],
    ["POST", "/hosts/join-tokens", "hosts.createJoinToken", "Make a one-time join token"],
    ["PUT", "/hosts/{hostId}/cluster", "hosts.setCluster", "Move a host to a cluster"],
    ["PUT", "/hosts/{id}/enabled", "hosts.setEnabled", "Enable or drain a host"],
    ["POST", "/hosts/{id}/revoke", "hosts.revoke", "Revoke a host's credentials"],
    ["POST", "/hosts/{id}/rotate-credentials", "hosts.rotateCredentials", "Rotate a host's credentials"],
    ["DELETE", "/hosts/{id}", "hosts.remove", "Remove a host"],
    ["PUT", "/hosts/{id}/console-url", "hosts.setConsoleUrl", "Set a host's console address"],
    ["GET", "/local-desktops", "localDesktops.list", "Which lab PCs run which local desktop"],
  ]),
  ...group("Clusters", [
    ["GET", "/clusters", "clusters.list", "List host clusters"],
    ["POST", "/clusters", "clusters.create", "Create a cluster", { creates: "/clusters" }],
    ["PATCH", "/clusters/{id}", "clusters.rename", "Rename or describe a cluster"],
    ["DELETE", "/clusters/{id}", "clusters.delete", "Delete a cluster"],
  ]),
  ...group("Profiles", [
    ["GET", "/profiles", "profiles.list", "List desktop profiles"],
    ["POST", "/profiles", "profiles.create", "Create a profile", { creates: "/profiles" }],
    ["GET", "/profiles/{id}", "profiles.get", "Read a profile"],
    ["PATCH", "/profiles/{id}", "profiles.update", "Change a profile"],
    ["DELETE", "/profiles/{id}", "profiles.delete", "Delete a profile"],
    ["PUT", "/profiles/{id}/current-version", "profiles.setCurrentVersion", "Choose the version handed out"],
    ["POST", "/profiles/{id}/clone", "profiles.clone", "Copy a profile"],
    ["POST", "/profiles/{id}/admin-mode", "profiles.startAdminMode", "Start admin mode (edit the image)"],
    [
      "POST",
      "/profiles/{id}/admin-mode/publish",
      "profiles.publishAdminMode",
      "Publish admin mode's changes",
    ],
    ["DELETE", "/profiles/{id}/admin-mode", "profiles.discardAdminMode", "Discard admin mode"],
    ["GET", "/profiles/{id}/desktops", "profiles.runningDesktops", "Desktops running this profile"],
  ]),
  ...group("Labs", [
    ["GET", "/labs", "labs.list", "List labs"],
    ["POST", "/labs", "labs.create", "Create a lab", { creates: "/labs" }],
    ["GET", "/labs/{id}", "labs.get", "Read a lab"],
    ["PATCH", "/labs/{id}", "labs.update", "Change a lab"],
    ["DELETE", "/labs/{id}", "labs.delete", "Delete a lab"],
    ["PUT", "/labs/{id}/lessons", "labs.setLessons", "Set a lab's timetable"],
    ["GET", "/labs/{labId}/pools", "pools.list", "A lab's desktop pools"],
    ["POST", "/labs/{labId}/pools", "pools.create", "Create a pool", { creates: "/pools" }],
    ["GET", "/labs/{labId}/classroom", "desktops.classroom", "The teacher's view of a lab's desktops"],
    ["POST", "/labs/{labId}/desktop", "desktops.open", "Get a desktop in a lab"],
  ]),
  ...group("Pools", [
    ["PATCH", "/pools/{id}", "pools.update", "Resize a pool"],
    ["POST", "/pools/{id}/start", "pools.start", "Start a pool"],
    ["POST", "/pools/{id}/stop", "pools.stop", "Stop a pool"],
    ["DELETE", "/pools/{id}", "pools.delete", "Delete a pool"],
  ]),
  ...group("Desktops", [
    ["GET", "/desktops", "desktops.mine", "Your desktops"],
    ["POST", "/desktops/{instanceId}/release", "desktops.release", "Give a desktop back"],
    ["POST", "/desktops/{instanceId}/reset", "desktops.reset", "Reset a desktop to its profile"],
    ["GET", "/desktops/{instanceId}/messages", "desktops.messages", "Messages from the teacher"],
    ["POST", "/desktops/{instanceId}/messages", "desktops.sendMessage", "Send a message to a desktop"],
    ["POST", "/desktops/{instanceId}/messages/dismiss", "desktops.dismissMessages", "Dismiss messages"],
  ]),
  ...group("Terminals", [
    ["GET", "/terminals", "terminals.list", "List lab terminals"],
    ["GET", "/labs/{labId}/seat-choices", "terminals.seatChoices", "Desktops of a lab a terminal may show"],
    ["POST", "/terminals/{id}/approve", "terminals.approve", "Approve an enrolled terminal"],
    ["PATCH", "/terminals/{id}", "terminals.update", "Change a terminal's lab, seat or keyboard"],
    ["POST", "/terminals/{id}/revoke", "terminals.revoke", "Revoke a terminal"],
    ["DELETE", "/terminals/{id}", "terminals.delete", "Delete a terminal"],
  ]),
  ...group("Administration", [
    ["GET", "/audit", "audit.list", "Read the audit log"],
    ["GET", "/audit.csv", "audit.exportCsv", "The audit log as CSV"],
    ["GET", "/health/details", "health.status", "Service health in detail"],
    ["GET", "/settings", "portalSettings.read", "Portal settings"],
    ["PATCH", "/settings", "portalSettings.update", "Change portal settings"],
  ]),
];

/**
 * Procedures with no REST path, and why. Everything else must have one (a test holds the table to it).
 */
export const NOT_IN_REST: Partial<Record<ProcedurePath, string>> = {
  "account.changePassword":
    "a stolen token must not be able to lock its owner out: passwords change in the portal",
  "account.signUp": "for people in the browser (sign-up form with its rate limit and approval)",
  "account.signUpOptions": "only the sign-up form needs it",
  "account.redeemResetLink": "a one-time link a person opens in the browser",
};
