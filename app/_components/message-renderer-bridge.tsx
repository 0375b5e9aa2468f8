"use client";
import { setMessageRenderer, useMessage } from "@/app/_lib/render-message";

/** Hands the current language's message renderer to readError(); renders nothing. */
export function MessageRendererBridge() {
  const render = useMessage();
  // Browser only: on the server one module is shared by requests in different languages.
  if (typeof window !== "undefined") setMessageRenderer(render);
  return null;
}
