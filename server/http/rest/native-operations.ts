// Routes of /api/v1 that are not procedures because they move files or speak a protocol of their own:
// described here for the OpenAPI document. Their handlers are in server/http/images.ts and uploads.ts.
import { z } from "zod";
import { uploadImageInput } from "@/common/images";

const imageFields = (() => {
  const schema = z.toJSONSchema(uploadImageInput, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, object>;
    required?: string[];
  };
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: "query",
    required: (schema.required ?? []).includes(name),
    schema: s,
  }));
})();

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

export const NATIVE_PATHS: Record<string, Record<string, Record<string, unknown>>> = {
  "/images": {
    put: {
      operationId: "imagesUpload",
      summary: "Upload an image in one request (small files; use /uploads to resume)",
      description:
        "The body is the image file (qcow2, raw, vmdk, vdi, vhdx or iso). Who may call: powerUser and above.",
      tags: ["Images"],
      parameters: imageFields,
      requestBody: {
        required: true,
        content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
      },
      responses: {
        "201": { description: "Stored; checks and conversion follow as a task." },
        "400": error("Not valid."),
        "413": error("Too large."),
      },
    },
  },
  "/images/{id}/download": {
    get: {
      operationId: "imagesDownload",
      summary: "Download an image's file (Range supported)",
      tags: ["Images"],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": {
          description: "The file.",
          content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
        },
        "404": error("No such image."),
      },
    },
  },
  "/uploads": {
    post: {
      operationId: "uploadsCreate",
      summary: "Start a resumable image upload (tus 1.0.0 creation)",
      description:
        "Send `Tus-Resumable: 1.0.0`, `Upload-Length` and `Upload-Metadata` (the fields of PUT /images, base64). " +
        "Then PATCH /uploads/{id} with `Upload-Offset` and `Content-Type: application/offset+octet-stream`; " +
        "HEAD /uploads/{id} tells the offset to resume from.",
      tags: ["Images"],
      responses: {
        "201": { description: "Created: Location is the upload's URL." },
        "400": error("Not valid."),
      },
    },
  },
  "/uploads/{id}": {
    head: {
      operationId: "uploadsOffset",
      summary: "How much of an upload has arrived (Upload-Offset)",
      tags: ["Images"],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: { "200": { description: "Upload-Offset says how much." } },
    },
    patch: {
      operationId: "uploadsAppend",
      summary: "Append to an upload from its current offset",
      tags: ["Images"],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      requestBody: {
        required: true,
        content: { "application/offset+octet-stream": { schema: { type: "string", format: "binary" } } },
      },
      responses: {
        "204": { description: "Appended; Upload-Offset is the new offset." },
        "409": error("Wrong offset."),
      },
    },
    delete: {
      operationId: "uploadsCancel",
      summary: "Cancel an upload",
      tags: ["Images"],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: { "204": { description: "Cancelled." } },
    },
  },
  "/health": {
    get: {
      operationId: "healthCheck",
      summary: "Is the portal up (for load balancers; no credentials)",
      tags: ["Administration"],
      security: [],
      responses: { "200": { description: "Up." }, "503": { description: "A service is down." } },
    },
  },
};
