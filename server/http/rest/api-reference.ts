// The OpenAPI document and its reference page. The page is Swagger UI from the swagger-ui-dist package,
// served by the portal itself (no CDN: schools run offline), with the portal's session so "Try it out"
// acts as the signed-in user.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineHandler } from "../handler";
import { buildOpenApiDocument } from "./openapi-document";

let document: string | null = null;

export const openApiDocument = defineHandler({
  resource: "api",
  action: "document",
  credentials: "none",
  async handle() {
    document ??= JSON.stringify(buildOpenApiDocument(), null, 2);
    return new Response(document, {
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" },
    });
  },
});

// Only these files of the package are served, each with its type.
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// The project root is the working directory of the portal (npm start), where node_modules is.
const assetDir = () => path.join(process.cwd(), "node_modules", "swagger-ui-dist");

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>eduCloud API reference</title>
<link rel="icon" href="/api/v1/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
<style>body{margin:0} .back{font:14px sans-serif;padding:8px 16px;background:#0f172a} .back a{color:#e2e8f0}</style>
</head>
<body>
<div class="back"><a href="/">← eduCloud</a> · <a href="/api/v1/openapi.json">openapi.json</a> · <a href="/settings#api-tokens">API tokens</a></div>
<div id="reference"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/start.js"></script>
</body>
</html>`;

// In a file of its own: the page has no inline script.
const START = `window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  docExpansion: "none",
  filter: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
});`;

export const apiReference = defineHandler({
  resource: "api",
  action: "document",
  credentials: "none",
  params: z.object({ asset: z.array(z.string()).optional() }),
  async handle({ params }) {
    const name = params.asset?.join("/") ?? "";
    if (name === "") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    if (name === "start.js")
      return new Response(START, { headers: { "content-type": "text/javascript; charset=utf-8" } });
    // Own keys only: "constructor" or "toString" must not pass for a file name.
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) return new Response("Not found", { status: 404 });
    const body = await readFile(path.join(assetDir(), name));
    return new Response(new Uint8Array(body), {
      headers: { "content-type": type, "cache-control": "public, max-age=86400" },
    });
  },
});
