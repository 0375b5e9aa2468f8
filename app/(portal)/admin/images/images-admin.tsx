"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { ImageRow } from "@/db/schema/compute";
import { Alert } from "@/app/_components/alert";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { bytesToMiB, formatBytes, formatNumber } from "@/app/_lib/units";
import { useTRPC } from "@/app/_trpc/client";
import { UploadImageDialog } from "./upload-image-dialog";

const VISIBILITY_TONE: Record<ImageRow["visibility"], BadgeTone> = { public: "success", group: "info", private: "neutral" };
const COLUMNS = 7;

export function ImagesAdmin({ allowed }: { allowed: { upload: boolean } }) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [uploading, setUploading] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const images = useQuery(trpc.images.list.queryOptions());

  function done(text: string) {
    setUploading(false);
    setFlash(text);
    void queryClient.invalidateQueries({ queryKey: trpc.images.list.queryKey() });
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={allowed.upload && <Button onClick={() => { setFlash(null); setUploading(true); }}>{t("upload")}</Button>}
      />
      {flash && <Alert tone="success" className="mb-4" data-testid="flash">{flash}</Alert>}
      {images.data && images.data.length > 0 && (
        <p className="mb-2 text-sm text-slate-500 dark:text-slate-400">{t("count", { count: images.data.length })}</p>
      )}

      {images.isError && !images.data ? (
        <QueryError error={images.error} onRetry={() => void images.refetch()} retrying={images.isFetching} />
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colFormat")}</Th>
            <Th className="text-right">{t("colSize")}</Th>
            <Th className="text-right">{t("colVirtualSize")}</Th>
            <Th>{t("colVisibility")}</Th>
            <Th>{t("colSha")}</Th>
            <Th>{t("colCreated")}</Th>
          </THead>
          <TBody>
            {images.isPending ? (
              <TableMessage colSpan={COLUMNS}>{tc("loading")}</TableMessage>
            ) : images.data.length === 0 ? (
              <TableMessage colSpan={COLUMNS}>{t("empty")}</TableMessage>
            ) : (
              images.data.map((i) => (
                <Tr key={i.id} data-testid="image-row">
                  <Td className="font-medium">{i.name}</Td>
                  <Td><Badge>{i.format}</Badge></Td>
                  <Td className="whitespace-nowrap text-right tabular-nums">{formatNumber(bytesToMiB(i.sizeBytes), locale)} MiB</Td>
                  <Td className="whitespace-nowrap text-right tabular-nums">{formatBytes(i.virtualSizeBytes, locale)}</Td>
                  <Td><Badge tone={VISIBILITY_TONE[i.visibility]}>{t(`visibility_${i.visibility}`)}</Badge></Td>
                  {/* Twelve characters tell images apart; the whole digest is on hover for checking a download. */}
                  <Td><code title={i.sha256} className="font-mono text-xs">{i.sha256.slice(0, 12)}</code></Td>
                  <Td className="min-w-32 text-xs">{formatDateTime(i.createdAt, locale)}</Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}

      {allowed.upload && <UploadImageDialog open={uploading} onClose={() => setUploading(false)} onDone={done} />}
    </>
  );
}
