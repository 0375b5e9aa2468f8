"use client";
// The lab's pools as labs.get summarises them (until the pools procedures are merged).
import { useTranslations } from "next-intl";
import { Badge } from "@/app/_components/badge";
import { Card, CardHeader } from "@/app/_components/card";
import type { LabDetailView } from "@/app/_trpc/views";
import type { Flash } from "./lab-detail";

export function PoolsCard({
  lab,
}: {
  lab: LabDetailView;
  onFlash: (f: Flash) => void;
  onChanged: () => Promise<unknown>;
}) {
  const t = useTranslations("labs");
  return (
    <Card aria-labelledby="pools-heading">
      <div id="pools-heading">
        <CardHeader title={t("pools")} />
      </div>
      <ul className="space-y-1 text-sm">
        {lab.pools.map((p) => (
          <li key={p.id} className="flex items-center gap-2">
            {p.profile.name}{" "}
            <Badge tone={p.state === "running" ? "success" : "neutral"}>{t(`poolState.${p.state}`)}</Badge>
          </li>
        ))}
      </ul>
    </Card>
  );
}
