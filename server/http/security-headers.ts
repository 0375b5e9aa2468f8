/**
 * Headers on every answer of the portal (set in server/main.ts before Next or the upload server
 * writes anything).
 *
 * - frame-ancestors 'none' (and X-Frame-Options for old browsers): no other site — including a
 *   student's guest page forwarded on the portal's own address, which is same-site — can frame the
 *   portal and trick a click or read keystrokes from the console.
 * - script-src keeps 'unsafe-inline': Next streams its page data in inline scripts, and nonces would
 *   make every page dynamic. Everything else is the portal's own origin: no plugins, no foreign
 *   scripts, forms post only here, <base> cannot be moved.
 * - connect-src names the console's WebSocket origin as well as 'self' (browsers before CSP 3 do
 *   not count ws:/wss: as 'self').
 * - style-src 'unsafe-inline': xterm.js and noVNC style their elements inline.
 */
export function securityHeaders(opts: { production: boolean; portalOrigin: string }): [string, string][] {
  const portal = new URL(opts.portalOrigin);
  const socketOrigin = `${portal.protocol === "https:" ? "wss" : "ws"}://${portal.host}`;
  const csp = [
    "default-src 'self'",
    // Next's development server evaluates modules for fast refresh.
    `script-src 'self' 'unsafe-inline'${opts.production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${socketOrigin}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const headers: [string, string][] = [
    ["Content-Security-Policy", csp],
    ["X-Frame-Options", "DENY"],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
  ];
  // Served over HTTPS: browsers stop trying plain HTTP (and its cookies) for half a year.
  if (portal.protocol === "https:") headers.push(["Strict-Transport-Security", "max-age=15552000"]);
  return headers;
}
