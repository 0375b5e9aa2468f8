"use client";
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import type { ImageView } from "@/app/_trpc/views";
import { canManageImage, imageVisibilitiesFor, type IMAGE_SORTS } from "@/common/images";
import type { Role } from "@/common/roles";
import { Alert } from "@/app/_components/alert";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Input } from "@/app/_components/field";
import { PageFooter, SortableTh, type SortState } from "@/app/_components/paged-list";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useDescribeError } from "@/app/_lib/describe-error";
import { useDebounced } from "@/app/_lib/use-debounced";
import { bytesToMiB, formatBytes, formatNumber } from "@/app/_lib/units";
import { useTRPC } from "@/app/_trpc/client";
import { DownloadImageButton } from "./download-image-button";
import { EditImageDialog } from "./edit-image-dialog";
import { SyncImageDialog } from "./sync-image-dialog";
import { UploadImageDialog, type NewVersionOf } from "./upload-image-dialog";
import { VersionsDialog } from "./versions-dialog";

const VISIBILITY_TONE: Record<ImageView["visibility"], BadgeTone> = {
  public: "success",
  group: "info",
  private: "neutral",
};
const COLUMNS = 8;

export interface ImagesAllowed {
  upload: boolean;
  /** The role may manage images at all; which ones is decided per image (canManageImage). */
  manage: boolean;
  sync: boolean;
}

export interface ImagesViewer {
  id: number;
  role: Role;
  groupIds: number[];
  adminGroupIds: number[];
}

export function ImagesAdmin({
  allowed,
  viewer,
  notice,
}: {
  allowed: ImagesAllowed;
  viewer: ImagesViewer;
  /** Said under the title, e.g. which role uploading needs. */
  notice?: ReactNode;
}) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [uploading, setUploading] = useState(false);
  const [newVersionOf, setNewVersionOf] = useState<NewVersionOf | null>(null);
  const [editing, setEditing] = useState<ImageView | null>(null);
  const [syncing, setSyncing] = useState<ImageView | null>(null);
  const [versionsOf, setVersionsOf] = useState<ImageView | null>(null);
  const [deleting, setDeleting] = useState<ImageView | null>(null);
  const describe = useDescribeError();
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const tl = useTranslations("list");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<SortState<(typeof IMAGE_SORTS)[number]>>({ sort: "name", order: "asc" });
  const debounced = useDebounced(search.trim());
  const images = useInfiniteQuery({
    ...trpc.images.list.infiniteQueryOptions(
      { ...sort, search: debounced || undefined, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
  });
  const rows = images.data?.pages.flatMap((p) => p.items);
  const total = images.data?.pages[0]?.total;
  const remove = useMutation(trpc.images.delete.mutationOptions());

  function done(text: string) {
    setUploading(false);
    setNewVersionOf(null);
    setEditing(null);
    setFlash({ tone: "success", text });
    void queryClient.invalidateQueries(trpc.images.pathFilter());
  }

  async function deleteImage(i: ImageView) {
    setFlash(null);
    await remove.mutateAsync({ id: i.id }).then(
      () => done(t("deleted", { name: i.name })),
      (err: unknown) => setFlash({ tone: "error", text: describe(err).message }),
    );
    setDeleting(null);
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          allowed.upload && (
            <Button
              onClick={() => {
                setFlash(null);
                setNewVersionOf(null);
                setUploading(true);
              }}
            >
              {t("upload")}
            </Button>
          )
        }
      />
      {notice}
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <Input
          label={tl("search")}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={t("searchPlaceholder")}
          fieldClassName="w-64"
        />
        {total !== undefined && total > 0 && (
          <p className="pb-2 text-sm text-slate-500 dark:text-slate-400">{t("count", { count: total })}</p>
        )}
      </div>

      {images.isError && !images.data ? (
        <QueryError error={images.error} onRetry={() => void images.refetch()} retrying={images.isFetching} />
      ) : (
        <>
          <Table caption={t("caption")}>
            <THead>
              <SortableTh column="name" state={sort} onSort={setSort}>
                {t("colName")}
              </SortableTh>
              <Th>{t("colFormat")}</Th>
              <Th className="text-right">{t("colSize")}</Th>
              <Th className="text-right">{t("colVirtualSize")}</Th>
              <Th>{t("colVisibility")}</Th>
              <Th>{t("colSha")}</Th>
              <SortableTh column="createdAt" state={sort} onSort={setSort} firstOrder="desc">
                {t("colCreated")}
              </SortableTh>
              <Th>{t("colActions")}</Th>
            </THead>
            <TBody>
              {images.isPending ? (
                <TableMessage colSpan={COLUMNS}>{tc("loading")}</TableMessage>
              ) : rows?.length === 0 ? (
                <TableMessage colSpan={COLUMNS}>{t("empty")}</TableMessage>
              ) : (
                rows?.map((i) => (
                  <Tr key={i.id} data-testid="image-row">
                    <Td className="font-medium">
                      <span className="flex items-center gap-1">
                        <Truncated text={i.name} />
                        <Badge>v{i.version}</Badge>
                      </span>
                      {i.versionCount > 1 && (
                        <button
                          type="button"
                          className="ml-2 text-xs text-indigo-700 underline dark:text-indigo-300"
                          onClick={() => setVersionsOf(i)}
                        >
                          {t("versionsCount", { count: i.versionCount })}
                        </button>
                      )}
                      <div className="text-xs font-normal text-slate-500">
                        {i.osType}
                        {i.minDiskGiB ? ` · ≥${i.minDiskGiB} GiB` : ""}
                        {i.minRamMiB ? ` · ≥${i.minRamMiB} MiB RAM` : ""}
                      </div>
                    </Td>
                    <Td>
                      <Badge>{i.sourceFormat === "iso" ? "iso" : i.format}</Badge>
                      {i.sourceFormat !== i.format && i.sourceFormat !== "iso" && (
                        <span className="ml-1 text-xs text-slate-500">← {i.sourceFormat}</span>
                      )}
                    </Td>
                    <Td className="whitespace-nowrap text-right tabular-nums">
                      {formatNumber(bytesToMiB(i.sizeBytes), locale)} MiB
                    </Td>
                    <Td className="whitespace-nowrap text-right tabular-nums">
                      {formatBytes(i.virtualSizeBytes, locale)}
                    </Td>
                    <Td>
                      <Badge tone={VISIBILITY_TONE[i.visibility]}>{t(`visibility_${i.visibility}`)}</Badge>
                    </Td>
                    {/* Twelve characters tell images apart; the whole digest is on hover for checking a download. */}
                    <Td>
                      <code title={i.sha256} className="font-mono text-xs">
                        {i.sha256.slice(0, 12)}
                      </code>
                    </Td>
                    <Td className="min-w-32 text-xs">{formatDateTime(i.createdAt, locale)}</Td>
                    <Td>
                      <div className="flex flex-wrap items-center gap-1">
                        <DownloadImageButton imageId={i.id} name={i.name} />
                        {allowed.manage && canManageImage(viewer, i) && (
                          <>
                            <Button
                              size="sm"
                              variant="ghost"
                              onClick={() => {
                                setFlash(null);
                                setNewVersionOf({ id: i.id, name: i.name });
                                setUploading(true);
                              }}
                            >
                              {t("newVersion")}
                            </Button>
                            <Button size="sm" variant="ghost" onClick={() => setEditing(i)}>
                              {t("edit")}
                            </Button>
                            <Button size="sm" variant="ghost" onClick={() => setDeleting(i)}>
                              {t("delete")}
                            </Button>
                          </>
                        )}
                        {allowed.sync && (
                          <Button size="sm" variant="ghost" onClick={() => setSyncing(i)}>
                            {t("sync")}
                          </Button>
                        )}
                      </div>
                    </Td>
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
          <PageFooter shown={rows?.length ?? 0} total={total} query={images} />
        </>
      )}

      {allowed.upload && (
        <UploadImageDialog
          open={uploading}
          onClose={() => {
            setUploading(false);
            setNewVersionOf(null);
          }}
          onDone={done}
          visibilities={imageVisibilitiesFor(viewer.role)}
          newVersionOf={newVersionOf}
        />
      )}
      <EditImageDialog
        image={editing}
        onClose={() => setEditing(null)}
        onDone={done}
        visibilities={imageVisibilitiesFor(viewer.role)}
      />
      <SyncImageDialog image={syncing} onClose={() => setSyncing(null)} />
      <VersionsDialog image={versionsOf} onClose={() => setVersionsOf(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title={t("deleteTitle")}
        body={deleting ? t("deleteConfirm", { name: `${deleting.name} v${deleting.version}` }) : ""}
        confirmLabel={t("delete")}
        busy={remove.isPending}
        onConfirm={() => deleting && void deleteImage(deleting)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
