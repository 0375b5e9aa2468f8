import { roleRank, type Role } from "./roles";

/**
 * How far an object check reaches beyond the role check:
 *  - none:  the role alone decides (own account, global admin actions)
 *  - group: the object must belong to one of the caller's groups (superAdm reaches all)
 *  - own:   the object must be the caller's own, or in a group they administer (powerAdm) (superAdm all)
 */
export type Scope = "none" | "group" | "own";

/**
 * The least caller a permission admits: a role (users; "anonymous" admits everyone), or "host" for the
 * endpoints only a joined host's agent may call (its host credential, never a user's session), "terminal"
 * for an approved thin client's signed requests, "kiosk" for the kiosk page bound to one (decision 015).
 */
export type Least = Role | "host" | "terminal" | "kiosk";

export interface Permission {
  least: Least;
  scope: Scope;
}

const p = (least: Least, scope: Scope = "none"): Permission => ({ least, scope });

/**
 * The one table of resources × actions × least role. Every tRPC procedure is built from an entry here
 * (`procedureFor("users", "create")`), and the RBAC matrix test reads it to know what to expect.
 */
export const PERMISSIONS = {
  account: {
    read: p("user"),
    changePassword: p("user"),
    updatePreferences: p("user"),
    /** Ends every session of the caller's own account, the current one included. */
    signOutEverywhere: p("user"),
    /** Display name and email of one's own account. */
    updateProfile: p("user"),
    /** Whether self sign-up is open (the sign-in page shows the link); nothing else about the install. */
    signUpOptions: p("anonymous"),
    /** Self sign-up, when an administrator switched it on (off by default). */
    signUp: p("anonymous"),
    /** Sets a new password with a one-time reset link's token (the token is the proof). */
    redeemResetLink: p("anonymous"),
  },
  users: {
    list: p("powerAdm", "group"),
    read: p("powerAdm", "group"),
    create: p("superAdm"),
    update: p("superAdm"),
    setDisabled: p("superAdm"),
    resetPassword: p("superAdm"),
    /** Lifts an account's sign-in lock after someone guessed at its name. */
    clearSignInLock: p("superAdm"),
    /** A one-time, short-lived password reset link: superAdm for anyone, a group's admin for its members. */
    issueResetLink: p("powerAdm", "group"),
    /** Lets a self-signed-up account in: the admins of the group it signed up to (superAdm any). */
    approve: p("powerAdm", "group"),
    /** Accounts for a whole class from CSV; each row's result, initial passwords shown once. */
    importCsv: p("superAdm"),
  },
  groups: {
    list: p("powerAdm", "group"),
    read: p("powerAdm", "group"),
    create: p("superAdm"),
    update: p("superAdm"),
    delete: p("superAdm"),
    setMembers: p("superAdm"),
    /** Who administers the group (its teachers): only superAdm hands that out. */
    setAdmins: p("superAdm"),
  },
  /**
   * A group as its administrators run it (a teacher's class): members, catalogue, quotas of members,
   * members' machines. "group" scope: the caller must administer the group (superAdm any).
   */
  classes: {
    read: p("powerAdm", "group"),
    addMembers: p("powerAdm", "group"),
    removeMembers: p("powerAdm", "group"),
    setCatalogue: p("powerAdm", "group"),
    /** One machine per member from one image and flavor, placed as one batch. */
    deploy: p("powerAdm", "group"),
    /** Takes a deployment's machines away again. */
    undeploy: p("powerAdm", "group"),
  },
  /** Limits and use. Group limits are superAdm's; a group's admin sets its members' own limits within them. */
  quotas: {
    /** One's own limits and use. */
    mine: p("user"),
    /** A group's limits, use and its members' use: the group's admins (superAdm any). */
    group: p("powerAdm", "group"),
    /** Everyone's use, sortable, and as CSV. */
    listAll: p("superAdm"),
    exportAll: p("superAdm"),
    setRoleDefaults: p("superAdm"),
    setGroupLimits: p("superAdm"),
    setUserLimits: p("powerAdm", "group"),
  },
  /** Settings an administrator changes in the portal: self sign-up, its group and approval, mail (SMTP). */
  portalSettings: {
    read: p("superAdm"),
    update: p("superAdm"),
  },
  /**
   * API tokens (docs/security.md "API tokens"): each account its own ("own": the token's user, superAdm
   * any); superAdm also lists and revokes everyone's.
   */
  apiTokens: {
    list: p("user", "own"),
    create: p("user", "own"),
    revoke: p("user", "own"),
    listAll: p("superAdm"),
    revokeAny: p("superAdm"),
  },
  audit: {
    list: p("superAdm"),
    export: p("superAdm"),
  },
  /** The REST API's description: public, as it tells nothing about the install (OpenAPI document and reference page). */
  api: {
    document: p("anonymous"),
  },
  health: {
    read: p("powerAdm"),
    /** The public liveness answer for load balancers: status and which service is down, nothing more. */
    live: p("anonymous"),
  },
  /** What a host's agent calls with its credential; joining needs none (the one-time token is the proof). */
  agent: {
    join: p("anonymous"),
    consoleKey: p("host"),
    fetchImage: p("host"),
    uploadCapture: p("host"),
    /** Local mode (a lab PC): the profiles it may offer (a user's own only with that user's password). */
    localProfiles: p("host"),
    /** Local mode: usage of the PC's local desktops. */
    localUsage: p("host"),
  },
  /** Which lab PCs run which local desktop (reported by their agents). */
  localDesktops: {
    list: p("superAdm"),
  },
  hosts: {
    list: p("superAdm"),
    createJoinToken: p("superAdm"),
    setEnabled: p("superAdm"),
    /** Credentials refused at once, no new work (a lost or compromised host). */
    revoke: p("superAdm"),
    /** A new secret through a one-time re-join token bound to the host; the old one stops at once. */
    rotateCredentials: p("superAdm"),
    remove: p("superAdm"),
    /** The pinned console address the portal connects to (heartbeats cannot move it). */
    setConsoleUrl: p("superAdm"),
    /** Into or out of a cluster (refused while instances the new cluster does not take live there). */
    setCluster: p("superAdm"),
  },
  /** Hosts sorted by kind: servers, remote desktops, local desktops (lab PCs). */
  clusters: {
    list: p("superAdm"),
    create: p("superAdm"),
    /** Name and description; the kind is fixed. */
    rename: p("superAdm"),
    /** Only an empty one. */
    delete: p("superAdm"),
  },
  flavors: {
    list: p("user"),
    create: p("powerAdm"),
    update: p("powerAdm"),
    delete: p("powerAdm"),
  },
  images: {
    list: p("user"),
    /** Versions and downloads of any image the caller may see (the domain filters by visibility). */
    versions: p("user"),
    download: p("user"),
    /** powerAdm and up; a powerUser may upload private images only (checked in the domain). */
    upload: p("powerUser"),
    /** tus OPTIONS: what the upload endpoint speaks (version, size cap); nothing about anyone's uploads. */
    uploadDiscovery: p("anonymous"),
    /** The owner, a powerAdm of the image's group, or superAdm (checked in the domain). */
    update: p("powerUser", "own"),
    delete: p("powerUser", "own"),
    /** Push an image into hosts' caches ahead of time, and see where it is cached. */
    sync: p("superAdm"),
    hostCache: p("superAdm"),
  },
  tasks: {
    /** Own tasks; a powerAdm also their groups' members' tasks; superAdm all. */
    list: p("user", "own"),
    /** One task (state, progress, result): whoever sees it in the list; the REST API's 202 answers point here. */
    read: p("user", "own"),
  },
  consoles: {
    open: p("user", "own"),
  },
  networks: {
    /** Names and CIDRs to pick from when launching (tenant networks; all for superAdm). */
    choices: p("user"),
    list: p("superAdm"),
    read: p("superAdm"),
    create: p("superAdm"),
    update: p("superAdm"),
    delete: p("superAdm"),
    exportUsage: p("superAdm"),
  },
  ipam: {
    /** Subnets are carved for labs, projects and stacks, which powerAdm manages (seed 001). */
    listSubnets: p("powerAdm", "own"),
    carveSubnet: p("powerAdm"),
    confirmSubnet: p("powerAdm", "own"),
    deleteSubnet: p("powerAdm", "own"),
    allocateAddress: p("superAdm"),
    releaseAddress: p("superAdm"),
  },
  portForwards: {
    list: p("user", "own"),
    create: p("powerUser", "own"),
    delete: p("powerUser", "own"),
  },
  instances: {
    list: p("user", "own"),
    read: p("user", "own"),
    nics: p("user", "own"),
    create: p("user"),
    start: p("user", "own"),
    stop: p("user", "own"),
    reboot: p("user", "own"),
    delete: p("user", "own"),
    /** Another flavor for a stopped instance, within the catalogue, quota and its host's room. */
    resize: p("powerUser", "own"),
    /** Hands a machine to another member of its group (a teacher gives a student their machine). */
    assign: p("powerAdm", "own"),
    /** What the caller may launch in a group: its catalogue's images, flavors and networks. */
    launchOptions: p("user"),
    /** Capture the instance's disk into a new (private) image: disk images are a powerUser's tool, like snapshots. */
    capture: p("powerUser", "own"),
  },
  /** Snapshots of an instance: the instance's owner (powerUser and up), a powerAdm of its group, superAdm. */
  snapshots: {
    list: p("user", "own"),
    create: p("powerUser", "own"),
    revert: p("powerUser", "own"),
    delete: p("powerUser", "own"),
  },
  /** Data volumes, owned like instances; sizes count in the owner's and group's disk (GiB) quota. */
  volumes: {
    list: p("user", "own"),
    create: p("powerUser", "own"),
    attach: p("powerUser", "own"),
    detach: p("powerUser", "own"),
    delete: p("powerUser", "own"),
  },
  // ---- labs and desktops: profiles and labs (helper B) ----
  /**
   * Desktop profiles: a group's admins (its teachers) manage the group's profiles; public ones (no group)
   * are superAdm's, and the admins of any group may read and use them in their labs.
   */
  profiles: {
    list: p("powerAdm", "group"),
    read: p("powerAdm", "group"),
    create: p("powerAdm", "group"),
    update: p("powerAdm", "group"),
    delete: p("powerAdm", "group"),
    /** Go back or forward to any version of the list. */
    setCurrentVersion: p("powerAdm", "group"),
    /** Into a new profile of a group the caller administers, sharing the source's current image. */
    clone: p("powerAdm", "group"),
    /** Admin mode: boot the current version writable, then publish it as the next version or discard it. */
    startAdminMode: p("powerAdm", "group"),
    publishAdminMode: p("powerAdm", "group"),
    discardAdminMode: p("powerAdm", "group"),
    /** The profile's running desktops ("shut these down first"). */
    runningDesktops: p("powerAdm", "group"),
  },
  /** Labs (rooms of seats with a weekly schedule): the group's admins, public ones superAdm's. */
  labs: {
    list: p("powerAdm", "group"),
    read: p("powerAdm", "group"),
    create: p("powerAdm", "group"),
    update: p("powerAdm", "group"),
    delete: p("powerAdm", "group"),
    setLessons: p("powerAdm", "group"),
  },
  /** Desktop pools of a lab (docs/labs.md): the admins of the lab's group (superAdm any, public labs too). */
  pools: {
    list: p("powerAdm", "group"),
    create: p("powerAdm", "group"),
    update: p("powerAdm", "group"),
    start: p("powerAdm", "group"),
    stop: p("powerAdm", "group"),
    /** Takes the pool's desktops away with it. */
    delete: p("powerAdm", "group"),
  },
  /**
   * Thin-client terminals (docs/labs.md "Terminals"). Enrolling needs nothing (it grants nothing); the
   * config is for an approved terminal's signed requests. Approving trusts a new device for the whole
   * install (a pending one belongs to no lab): superAdm. The admins of a lab's group see, rename, seat,
   * move between their labs and revoke its terminals.
   */
  terminals: {
    enrol: p("anonymous"),
    config: p("terminal"),
    /** A console ticket for a seat terminal's native client (the seat's desktop, nothing else). */
    consoleTicket: p("terminal"),
    list: p("powerAdm", "group"),
    approve: p("superAdm"),
    update: p("powerAdm", "group"),
    /** The lab's desktops a terminal may be seated at, by name (the approve and edit dialogs' picker). */
    seatChoices: p("powerAdm", "group"),
    revoke: p("powerAdm", "group"),
    delete: p("superAdm"),
  },
  /**
   * The kiosk page a terminal's browser shows: opened with a one-time link (the link is the proof), then
   * a kiosk cookie bound to that terminal. A student signs in there for the lab's desktop only.
   */
  kiosk: {
    start: p("anonymous"),
    state: p("kiosk"),
    signIn: p("kiosk"),
    desktop: p("kiosk"),
    ticket: p("kiosk"),
    signOut: p("kiosk"),
  },
  /** A pool's desktops as students and teachers use them (the desktops policy says who per object). */
  desktops: {
    /** The caller's assigned desktops and the labs they may open. */
    mine: p("user"),
    /** Get a desktop of a lab: a member of the lab's group (a public lab: anyone signed in). */
    open: p("user", "group"),
    /** The student it is assigned to, or an admin of the lab's group. */
    release: p("user", "own"),
    reset: p("user", "own"),
    /** The assigned student reads and dismisses the teacher's messages on the console page. */
    readMessages: p("user", "own"),
    dismissMessages: p("user", "own"),
    /** A teacher writes to a desktop; the classroom view of a lab: the lab group's admins. */
    message: p("powerAdm", "group"),
    classroom: p("powerAdm", "group"),
    /** A desktop's live screen in the classroom view (GET /api/v1/desktops/:id/thumbnail): the lab group's admins. */
    thumbnail: p("powerAdm", "group"),
  },
} as const satisfies Record<string, Record<string, Permission>>;

export type Resource = keyof typeof PERMISSIONS;
export type Action<R extends Resource> = keyof (typeof PERMISSIONS)[R] & string;

export function permissionFor<R extends Resource>(resource: R, action: Action<R>): Permission {
  return (PERMISSIONS[resource] as Record<string, Permission>)[action]!;
}

/** Does a user's role reach the least a permission asks? Host-only permissions admit no role. */
export function roleMeets(role: Role, least: Least): boolean {
  return least !== "host" && least !== "terminal" && least !== "kiosk" && roleRank(role) >= roleRank(least);
}

/** For the UI: may a role see a button or a page? The server checks again on every call. */
export function can<R extends Resource>(
  role: Role | null | undefined,
  resource: R,
  action: Action<R>,
): boolean {
  return roleMeets(role ?? "anonymous", permissionFor(resource, action).least);
}

/** The least role a user-facing permission asks (pages name it to say why they refuse). */
export function leastRole<R extends Resource>(resource: R, action: Action<R>): Role {
  const least = permissionFor(resource, action).least;
  if (least === "host" || least === "terminal" || least === "kiosk")
    throw new Error(`${resource}.${action} is for ${least}s, not users`);
  return least;
}
