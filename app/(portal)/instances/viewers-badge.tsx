"use client";
// "2 watching": how many people have the instance's console open. The count comes with the instance
// (an optional `viewers` field); it is read defensively, so the badge simply stays away until the
// server sends it, and whenever nobody is watching.
import { useTranslations } from "next-intl";
import type { InstanceView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";

function viewersOf(instance: InstanceView): number {
  const viewers = (instance as { viewers?: unknown }).viewers;
  return typeof viewers === "number" && Number.isFinite(viewers) && viewers > 0 ? Math.floor(viewers) : 0;
}

export function ViewersBadge({ instance }: { instance: InstanceView }) {
  const t = useTranslations("instances");
  const count = viewersOf(instance);
  if (count === 0) return null;
  return (
    <span data-testid="viewers" title={t("viewersHint", { count })} className="inline-flex">
      <Badge tone="info">
        <span aria-hidden className="mr-1.5 size-1.5 rounded-full bg-current" />
        {t("viewers", { count })}
      </Badge>
    </span>
  );
}
