import { getTranslations } from "next-intl/server";
import { KioskApp } from "./kiosk-app";

export async function generateMetadata() {
  const t = await getTranslations("terminals");
  return { title: t("title") };
}

// The page a terminal's browser shows full screen (docs/labs.md "Terminals"). It holds no session of the
// portal: everything it does goes through /api/v1/kiosk/* with the kiosk cookie its one-time link set.
export default async function KioskPage({ searchParams }: { searchParams: Promise<{ link?: string }> }) {
  const { link } = await searchParams;
  return <KioskApp linkSpent={link === "spent"} />;
}
