// What a host's agent calls: it joins with a one-time token, then presents its host credential
// (caller kind "host") to fetch base images, the console verification key, and to upload captures.
import { z } from "zod";
import { joinRequestSchema } from "@/agents/protocol";
import { consoleVerifyKeyOf } from "@/server/console/console-key";
import { receiveCapture } from "@/server/domain/captures/receive-capture";
import { profilePublisher } from "@/server/domain/profiles/publications";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import { joinHost } from "@/server/domain/hosts/join-host";
import { findImageForHost } from "@/server/domain/images/find-images";
import { isLocalHost } from "@/server/domain/local-desktops/local-host";
import {
  imageTicketParts,
  localTicketKey,
  verifyLocalTicket,
} from "@/server/domain/local-desktops/local-tickets";
import { imageFileResponse } from "./image-file-response";
import { defineHandler, TARGET_HEADER } from "./handler";

const NO_STORE = { "cache-control": "no-store" };

/** An agent trades its one-time join token for host credentials. No session: the token is the proof. */
export const joinAgent = defineHandler({
  resource: "agent",
  action: "join",
  credentials: "none",
  body: joinRequestSchema,
  invalid: (error) =>
    new DomainError(
      "INVALID",
      msg("agent.badJoinRequest", {
        field: error.issues[0]?.path.join(".") ?? "",
        problem: error.issues[0]?.message ?? "",
      }),
    ),
  audit: {
    action: "hosts.join",
    targetType: "hosts",
    actorName: (_caller, ok, body) => (ok && body ? `agent:${body.name}` : "agent"),
  },
  async handle({ body, services: { db, settings, hostChannel } }) {
    const res = await joinHost({ db, settings, hostChannel }, body);
    return Response.json(res, { headers: { ...NO_STORE, [TARGET_HEADER]: res.hostId } });
  },
});

/** The public key that verifies the portal's console grants. */
export const consoleKeyForAgent = defineHandler({
  resource: "agent",
  action: "consoleKey",
  credentials: "host",
  async handle({ services: { settings } }) {
    return Response.json({ key: consoleVerifyKeyOf(settings.sessionSecret) }, { headers: NO_STORE });
  },
});

/**
 * Base images for agents, only those the calling host's own work needs (findImageForHost). The same file response as a user's download (Range, If-Range against the
 * sha256 ETag), so an interrupted fetch resumes.
 */
export const imageContentForAgent = defineHandler({
  resource: "agent",
  action: "fetchImage",
  credentials: "host",
  params: z.object({ id: z.string() }),
  // A local-mode PC's proof for a signed-in user's profile (agents/protocol/local.ts).
  query: z.object({ ticket: z.string().max(512).optional() }),
  async handle({ req, caller, params, query, services: { db, settings } }) {
    const hostId = caller.kind === "host" ? caller.hostId : "";
    // A lab PC (local desktops cluster) also gets public profiles' images, and a ticket's.
    const local = await isLocalHost(db, hostId);
    const image = await findImageForHost(db, hostId, params.id, {
      localDesktop: local
        ? {
            ticketOk: verifyLocalTicket(
              localTicketKey(settings.sessionSecret),
              imageTicketParts(hostId, params.id),
              query.ticket,
            ),
          }
        : undefined,
    });
    return imageFileResponse(req, image, settings.imageStoreDir);
  },
});

/** The disk an agent captured for a capture task (body = qcow2); only the task's own host may send it. */
export const uploadCaptureFromAgent = defineHandler({
  resource: "agent",
  action: "uploadCapture",
  credentials: "host",
  params: z.object({ taskId: z.uuid() }),
  invalid: () => new DomainError("NOT_FOUND", msg("notFound.captureTaskId")),
  async handle({ req, caller, params, services: { db, settings, log, jobs } }) {
    const { imageId } = await receiveCapture(
      {
        db,
        jobs,
        publisher: profilePublisher,
        storeDir: settings.imageStoreDir,
        maxBytes: settings.imageMaxBytes,
        convertTimeoutSeconds: settings.imageConvertTimeoutSeconds,
        maxVirtualBytes: settings.imageMaxVirtualBytes,
        onError: (err, what) => log.error({ err }, what),
      },
      { hostId: caller.kind === "host" ? caller.hostId : "", taskId: params.taskId, body: req.body },
    );
    return Response.json({ imageId }, { status: 201 });
  },
});
