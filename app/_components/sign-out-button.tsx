"use client";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "./button";

/**
 * A real form posting to next-auth, so "Sign out" works from the first paint — a click that lands
 * before React has hydrated the page posts the form instead of doing nothing. Once hydrated, the
 * click goes through next-auth's client, which also tells the other open tabs.
 */
export function SignOutButton({ csrfToken }: { csrfToken: string | null }) {
  const t = useTranslations("topBar");
  const [busy, setBusy] = useState(false);
  return (
    <form
      method="post"
      action="/api/auth/signout"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void signOut({ callbackUrl: "/login" });
      }}
    >
      {csrfToken ? <input type="hidden" name="csrfToken" value={csrfToken} /> : null}
      <input type="hidden" name="callbackUrl" value="/login" />
      <Button type="submit" variant="secondary" size="sm" busy={busy}>
        {t("signOut")}
      </Button>
    </form>
  );
}
