import { getTranslations } from "next-intl/server";
import { PublicShell } from "../public-shell";
import { SignUpForm } from "./sign-up-form";

export async function generateMetadata() {
  const t = await getTranslations();
  return { title: `${t("accounts.signUp.metaTitle")} · ${t("common.appName")}` };
}

export default async function SignUpPage() {
  const t = await getTranslations("accounts.signUp");
  return (
    <PublicShell title={t("title")} subtitle={t("subtitle")}>
      <SignUpForm />
    </PublicShell>
  );
}
