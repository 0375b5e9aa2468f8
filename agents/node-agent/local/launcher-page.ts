// The launcher's one page: pure (state in, HTML out), every value escaped.
import type { LocalProfile } from "../../protocol/local";
import { launcherText, type LauncherKey, type LauncherLocale } from "./launcher-text";

export interface LauncherView {
  locale: LauncherLocale;
  csrf: string;
  publicProfiles: LocalProfile[];
  /** The signed-in user's own (not public) profiles. */
  myProfiles: LocalProfile[];
  user: { username: string } | null;
  offline: boolean;
  running: { name: string } | null;
  starting: { name: string } | null;
  /** A message from the last action (flash). */
  notice: { key: LauncherKey; params?: Record<string, string | number>; error?: boolean } | null;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function renderLauncherPage(v: LauncherView): string {
  const t = (key: LauncherKey, params?: Record<string, string | number>) =>
    escapeHtml(launcherText(v.locale, key, params));
  const hidden = `<input type="hidden" name="csrf" value="${escapeHtml(v.csrf)}">`;
  const busy = v.running !== null || v.starting !== null;
  const card = (p: LocalProfile) => `
    <li class="card">
      <div><strong>${escapeHtml(p.name)}</strong>
        <p>${escapeHtml(p.description)}</p>
        <small>${t("hardware", { vcpus: p.vcpus, memory: p.memoryMiB })}</small></div>
      <form method="post" action="/start">${hidden}
        <input type="hidden" name="profileId" value="${p.id}">
        <button type="submit" aria-label="${t("startLabel", { name: p.name })}"${busy ? " disabled" : ""}>${t("start")}</button>
      </form>
    </li>`;
  const list = (items: LocalProfile[]) =>
    items.length ? `<ul>${items.map(card).join("")}</ul>` : `<p class="muted">${t("none")}</p>`;
  const notice = v.notice
    ? `<p role="status" class="${v.notice.error ? "error" : "notice"}">${t(v.notice.key, v.notice.params)}</p>`
    : "";
  const state = v.running
    ? `<section class="running"><p>${t("running", { name: v.running.name })}</p>
        <form method="post" action="/stop">${hidden}<button type="submit">${t("stop")}</button></form></section>`
    : v.starting
      ? `<section class="running"><p>${t("starting", { name: v.starting.name })}</p></section>`
      : "";
  const account = v.user
    ? `<p>${t("signedInAs", { username: v.user.username })}</p>
       <form method="post" action="/signout">${hidden}<button type="submit">${t("signOut")}</button></form>`
    : `<h2>${t("signInTitle")}</h2>
       <form method="post" action="/signin" class="signin">${hidden}
         <label>${t("username")} <input name="username" autocomplete="username" required maxlength="64"></label>
         <label>${t("password")} <input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
         <button type="submit"${v.offline ? " disabled" : ""}>${t("signIn")}</button>
       </form>`;
  const other: LauncherLocale = v.locale === "en" ? "zh-CN" : "en";
  return `<!doctype html>
<html lang="${v.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${busy && !v.running ? '<meta http-equiv="refresh" content="3">' : ""}
<title>${t("title")}</title>
<style>
  body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
  ul { list-style: none; padding: 0; } .card { display: flex; justify-content: space-between; align-items: center;
  border: 1px solid #ccc; border-radius: 8px; padding: .75rem 1rem; margin: .5rem 0; } .card p { margin: .25rem 0; }
  button { font-size: 1rem; padding: .5rem 1.25rem; } .muted, small { color: #555; }
  .error { color: #a00; } .notice { color: #064; } .running { background: #eef6ff; padding: .5rem 1rem; border-radius: 8px; }
  .signin label { display: block; margin: .5rem 0; }
</style></head>
<body>
<nav><a href="/?lang=${other}">${escapeHtml(launcherText(other, "language"))}</a></nav>
<h1>${t("title")}</h1>
<p>${t("intro")}</p>
${v.offline ? `<p role="status" class="error">${t("offline")}</p>` : ""}
${notice}
${state}
<h2>${t("publicProfiles")}</h2>
${list(v.publicProfiles)}
${v.user ? `<h2>${t("myProfiles")}</h2>${list(v.myProfiles)}` : ""}
${account}
</body></html>`;
}
