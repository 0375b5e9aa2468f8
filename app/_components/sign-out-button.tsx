"use client";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "./button";

export function SignOutButton() {
  const t = useTranslations("topBar");
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      busy={busy}
      onClick={() => { setBusy(true); void signOut({ callbackUrl: "/login" }); }}
    >
      {t("signOut")}
    </Button>
  );
}
