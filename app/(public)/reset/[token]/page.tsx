import { getTranslations } from "next-intl/server";
import { PublicShell } from "../../public-shell";
import { ResetForm } from "./reset-form";

export async function generateMetadata() {
  const t = await getTranslations();
  return { title: `${t("accounts.reset.metaTitle")} · ${t("common.appName")}` };
}

// The token stays in this page and its one request: it is checked (and spent) only when the form is sent.
export default async function ResetPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("accounts.reset");
  return (
    <PublicShell title={t("title")} subtitle={t("subtitle")}>
      <ResetForm token={token} />
    </PublicShell>
  );
}
