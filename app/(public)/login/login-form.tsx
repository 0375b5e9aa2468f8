"use client";
import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { loginInput } from "@/common/users";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { setPreferenceCookie } from "@/app/_lib/cookies";
import { useMessage } from "@/app/_lib/render-message";
import { safeCallbackUrl } from "@/app/_lib/safe-callback";
import { useTRPCClient } from "@/app/_trpc/client";
import { LOCALE_COOKIE, THEME_COOKIE } from "@/i18n/config";
import { validate, type FieldErrors } from "@/app/_lib/validation";

interface LoginFormProps {
  callbackUrl: string | null;
  /** From ?error=…: a sentence to show, "" for a next-auth code (generic text), or null. */
  initialError: string | null;
}

export function LoginForm({ callbackUrl, initialError }: LoginFormProps) {
  const trpcClient = useTRPCClient();
  const t = useTranslations("login");
  const render = useMessage();
  // The server sends a refusal as {code, params, message} (server/auth/auth-options.ts).
  const renderSignInError = (error: string): string => {
    try {
      const m = JSON.parse(error) as {
        code?: unknown;
        params?: Record<string, string | number>;
        message?: string;
      };
      if (typeof m.code === "string") return render({ code: m.code, params: m.params }, m.message);
    } catch {
      /* plain text from an older server */
    }
    return error;
  };
  const tv = useTranslations("validation");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(
    initialError === "" ? t("failed") : initialError && renderSignInError(initialError),
  );
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const checked = validate(loginInput, { username, password }, tv, {
      username: t("usernameRequired"),
      password: t("passwordRequired"),
    });
    setFieldErrors(checked.errors ?? {});
    if (!checked.data) return;

    setBusy(true);
    try {
      const res = await signIn("credentials", { redirect: false, username, password });
      if (!res || res.error || !res.ok) {
        // The server's messages (wrong password, locked out, server problem) are written for users;
        // "CredentialsSignin" is next-auth's bare code for a refusal without one.
        const msg =
          res?.error && res.error !== "CredentialsSignin"
            ? renderSignInError(res.error)
            : res?.error
              ? t("wrongCredentials")
              : t("failed");
        setError(msg);
        setBusy(false);
        return;
      }
      // The account's language and theme follow the user to any browser they sign in from.
      await trpcClient.account.me.query().then(
        (me) => {
          setPreferenceCookie(LOCALE_COOKIE, me.locale);
          setPreferenceCookie(THEME_COOKIE, me.theme);
        },
        () => undefined, // preferences are a nicety; never block the sign-in on them
      );
      // A full load, so the server layout renders with the new session cookie.
      window.location.href = safeCallbackUrl(callbackUrl, window.location.origin);
    } catch {
      setError(t("failed"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {error && (
        <Alert tone="error" data-testid="form-error">
          {error}
        </Alert>
      )}
      <Input
        label={t("username")}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={fieldErrors.username}
      />
      <Input
        label={t("password")}
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrors.password}
      />
      <Button type="submit" className="w-full" busy={busy}>
        {busy ? t("submitting") : t("submit")}
      </Button>
    </form>
  );
}
