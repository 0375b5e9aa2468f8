// What the UI receives, named once: the tRPC router's inferred outputs are the browser's contract with
// the server, so components never import database rows or domain modules.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Out = inferRouterOutputs<AppRouter>;

export type FlavorView = Out["flavors"]["list"][number];
export type ImageView = Out["images"]["list"]["items"][number];
export type InstanceView = Out["instances"]["list"]["items"][number];
export type InstanceState = InstanceView["state"];
export type NetworkView = Out["networks"]["list"][number];
export type NetworkDetail = Out["networks"]["get"];
export type AddressView = NetworkDetail["addresses"][number];
export type SubnetView = NetworkDetail["subnets"][number];
export type PortForwardView = Out["portForwards"]["list"][number];
export type GroupView = Out["groups"]["list"][number];
export type UserView = Out["users"]["list"]["items"][number];
export type HostView = Out["hosts"]["list"][number];
export type JoinToken = Out["hosts"]["createJoinToken"];
export type ClusterView = Out["clusters"]["list"][number];
export type HealthReport = Out["health"]["status"];
export type HealthCheck = HealthReport["checks"][number];
export type SnapshotView = Out["snapshots"]["list"][number];
export type VolumeView = Out["volumes"]["list"][number];
export type ClassSummaryView = Out["classes"]["list"][number];
export type ClassDetailView = Out["classes"]["get"];
export type ClassMemberView = ClassDetailView["members"][number];
export type ProfileSummaryView = Out["profiles"]["list"][number];
export type ProfileDetailView = Out["profiles"]["get"];
export type LabSummaryView = Out["labs"]["list"][number];
export type LabDetailView = Out["labs"]["get"];
export type PoolView = Out["pools"]["list"][number];
export type ClassroomDesktopView = Out["desktops"]["classroom"]["desktops"][number];
export type TerminalView = Out["terminals"]["list"][number];
export type ApiTokenView = Out["apiTokens"]["list"][number];
export type CreatedApiToken = Out["apiTokens"]["create"];
export type SeatChoiceView = Out["terminals"]["seatChoices"][number];
