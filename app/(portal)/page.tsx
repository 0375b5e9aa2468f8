import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can } from "@/common/permissions";
import { ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { PageHeader } from "@/app/_components/page-header";
import { currentActor } from "@/app/_lib/current-actor";
import { Greeting } from "./greeting";
import { MyInstances } from "./my-instances";
import { MyDesktops } from "./desktops/my-desktops";

export async function generateMetadata() {
  const t = await getTranslations("dashboard");
  return { title: t("title") };
}

export default async function DashboardPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  const t = await getTranslations();

  // Link texts differ from the nav names on purpose, so "the link named Users" is always the nav item.
  const adminCards = [
    can(actor.role, "users", "list") && {
      href: "/admin/users",
      title: t("nav.users"),
      body: t("dashboard.usersBody"),
      cta: t("dashboard.usersCta"),
    },
    can(actor.role, "groups", "list") && {
      href: "/admin/groups",
      title: t("nav.groups"),
      body: t("dashboard.groupsBody"),
      cta: t("dashboard.groupsCta"),
    },
    can(actor.role, "hosts", "list") && {
      href: "/admin/hosts",
      title: t("nav.hosts"),
      body: t("dashboard.hostsBody"),
      cta: t("dashboard.hostsCta"),
    },
    can(actor.role, "audit", "list") && {
      href: "/admin/audit",
      title: t("nav.audit"),
      body: t("dashboard.auditBody"),
      cta: t("dashboard.auditCta"),
    },
    can(actor.role, "health", "read") && {
      href: "/admin/health",
      title: t("nav.health"),
      body: t("dashboard.healthBody"),
      cta: t("dashboard.healthCta"),
    },
  ].filter((c) => c !== false);

  return (
    <>
      <PageHeader title={t("dashboard.title")} />
      <div className="space-y-6">
        <Card>
          <Greeting username={actor.username} role={actor.role} />
        </Card>

        <div className="grid gap-6 lg:grid-cols-3">
          <Card className="lg:col-span-2">
            <CardHeader
              title={t("dashboard.machinesTitle")}
              aside={
                can(actor.role, "instances", "list") && (
                  <ButtonLink href="/instances" variant="secondary" size="sm">
                    {t("dashboard.allInstances")}
                  </ButtonLink>
                )
              }
            />
            <MyInstances ownerId={actor.id} />
          </Card>
          <Card>
            <CardHeader title={t("dashboard.accountTitle")} />
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("dashboard.accountBody")}</p>
            <ButtonLink href="/settings" variant="secondary" size="sm" className="mt-4">
              {t("dashboard.accountCta")}
            </ButtonLink>
          </Card>
        </div>

        {can(actor.role, "desktops", "mine") && (
          <Card data-testid="dashboard-desktops">
            <CardHeader
              title={t("dashboard.desktopsTitle")}
              aside={
                <ButtonLink href="/desktops" variant="secondary" size="sm">
                  {t("dashboard.desktopsCta")}
                </ButtonLink>
              }
            />
            <MyDesktops compact />
          </Card>
        )}

        {adminCards.length > 0 && (
          <section aria-labelledby="admin-heading">
            <h2 id="admin-heading" className="mb-3 text-lg font-semibold">
              {t("dashboard.adminTitle")}
            </h2>
            <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
              {adminCards.map((c) => (
                <Card key={c.href} className="flex flex-col">
                  <CardHeader title={c.title} level={3} />
                  <p className="flex-1 text-sm text-slate-600 dark:text-slate-400">{c.body}</p>
                  <ButtonLink href={c.href} variant="secondary" size="sm" className="mt-4 self-start">
                    {c.cta}
                  </ButtonLink>
                </Card>
              ))}
            </div>
          </section>
        )}
      </div>
    </>
  );
}
