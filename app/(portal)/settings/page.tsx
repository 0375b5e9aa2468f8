import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can } from "@/common/permissions";
import { Card, CardHeader } from "@/app/_components/card";
import { LanguageSwitch } from "@/app/_components/language-switch";
import { PageHeader } from "@/app/_components/page-header";
import { ThemeSwitch } from "@/app/_components/theme-switch";
import { currentActor } from "@/app/_lib/current-actor";
import { AllApiTokens } from "./api-tokens/all-api-tokens";
import { ApiTokensSection } from "./api-tokens/api-tokens-section";
import { ChangePasswordForm } from "./change-password-form";
import { ProfileCard } from "./profile-card";
import { ProfileForm } from "./profile-form";
import { SignOutEverywhere } from "./sign-out-everywhere";

export async function generateMetadata() {
  const t = await getTranslations("settings");
  return { title: t("title") };
}

export default async function SettingsPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  const t = await getTranslations("settings");
  const ta = await getTranslations("accounts.profile");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="grid gap-6 lg:grid-cols-2">
        <ProfileCard canListGroups={can(actor.role, "groups", "list")} />
        <Card>
          <CardHeader title={t("preferencesTitle")} />
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("preferencesHint")}</p>
          <div className="grid gap-4 sm:grid-cols-2">
            <LanguageSwitch label={t("preferredLanguage")} persist />
            <ThemeSwitch label={t("preferredTheme")} />
          </div>
        </Card>
        <Card>
          <CardHeader title={ta("title")} />
          <ProfileForm />
        </Card>
        <Card>
          <CardHeader title={t("passwordTitle")} />
          <ChangePasswordForm />
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader title={t("sessionsTitle")} />
          <SignOutEverywhere />
        </Card>
        <Card className="lg:col-span-2" data-testid="api-tokens">
          <ApiTokensSection ownRole={actor.role} />
        </Card>
        {can(actor.role, "apiTokens", "listAll") && (
          <Card className="lg:col-span-2" data-testid="all-api-tokens">
            <AllApiTokens />
          </Card>
        )}
      </div>
    </>
  );
}
