"use client";
import { setMessageRenderer, useMessage } from "@/app/_lib/render-message";

/** Hands the current language's message renderer to readError(); renders nothing. */
export function MessageRendererBridge() {
  setMessageRenderer(useMessage());
  return null;
}
