"use client";
// The lab's weekly lessons: the pools are warmed up before each and shrink to their idle size after.
// Edited as a whole and saved at once (the server refuses overlaps on one weekday).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { setLessonsInput } from "@/common/labs";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { LabDetailView } from "@/app/_trpc/views";

interface Row {
  weekday: string;
  start: string;
  end: string;
  warmMinutes: string;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
/** The server names a lesson's field "lessons.<i>.<field>": each is shown beside its input. */
const LESSON_FIELDS = [
  "lessons",
  ...Array.from({ length: 100 }, (_, i) =>
    ["weekday", "start", "end", "warmMinutes"].map((f) => `lessons.${i}.${f}`),
  ).flat(),
];

export function LessonsCard({
  lab,
  onSaved,
}: {
  lab: LabDetailView;
  onSaved: (l: LabDetailView, text: string) => void;
}) {
  const t = useTranslations("labs");
  const trpc = useTRPC();
  const save = useMutation(trpc.labs.setLessons.mutationOptions());
  const form = useFormDialog<{ rows: Row[] }>({
    open: true,
    initial: () => ({
      rows: lab.lessons.map((l) => ({
        weekday: String(l.weekday),
        start: l.start,
        end: l.end,
        warmMinutes: String(l.warmMinutes),
      })),
    }),
    resetOn: [lab.id, lab.updatedAt],
    fields: LESSON_FIELDS,
  });
  const { rows } = form.values;
  const setRow = (i: number, patch: Partial<Row>) =>
    form.set(
      "rows",
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  const err = (i: number, f: keyof Row) => form.fieldErrors[`lessons.${i}.${f}`];

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(setLessonsInput, {
      id: lab.id,
      lessons: rows.map((r) => ({
        weekday: Number(r.weekday),
        start: r.start,
        end: r.end,
        warmMinutes: r.warmMinutes.trim() === "" ? undefined : Number(r.warmMinutes),
      })),
    });
    if (!checked) return;
    const saved = await save.mutateAsync(checked);
    onSaved(saved, t("lessonsSaved", { count: saved.lessons.length }));
  });

  return (
    <Card aria-labelledby="lessons-heading" data-testid="lessons-card">
      <div id="lessons-heading">
        <CardHeader title={t("lessons")} />
      </div>
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">{t("lessonsHint")}</p>
      <form onSubmit={onSubmit} noValidate className="space-y-3">
        <FormError message={form.error} />
        {rows.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">{t("noLessons")}</p>}
        {rows.map((r, i) => (
          <div key={i} className="flex flex-wrap items-start gap-3" data-testid="lesson-row">
            <Select
              label={t("weekday")}
              value={r.weekday}
              onChange={(e) => setRow(i, { weekday: e.target.value })}
              error={err(i, "weekday")}
              fieldClassName="w-36"
              options={WEEKDAYS.map((d) => ({ value: String(d), label: t(`weekdays.${d}`) }))}
            />
            <Input
              label={t("start")}
              type="time"
              value={r.start}
              onChange={(e) => setRow(i, { start: e.target.value })}
              error={err(i, "start")}
              fieldClassName="w-32"
            />
            <Input
              label={t("end")}
              type="time"
              value={r.end}
              onChange={(e) => setRow(i, { end: e.target.value })}
              error={err(i, "end")}
              fieldClassName="w-32"
            />
            <Input
              label={t("warmMinutes")}
              type="number"
              min={0}
              max={120}
              value={r.warmMinutes}
              onChange={(e) => setRow(i, { warmMinutes: e.target.value })}
              error={err(i, "warmMinutes")}
              fieldClassName="w-36"
            />
            <Button
              variant="ghost"
              size="sm"
              className="mt-6"
              aria-label={t("removeLessonLabel", { n: i + 1 })}
              onClick={() =>
                form.set(
                  "rows",
                  rows.filter((_, j) => j !== i),
                )
              }
            >
              {t("removeLesson")}
            </Button>
          </div>
        ))}
        {form.fieldErrors.lessons && (
          <p className="text-sm text-red-600 dark:text-red-400">{form.fieldErrors.lessons}</p>
        )}
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            size="sm"
            onClick={() =>
              // The next weekday: a new row does not overlap the last one before it is edited.
              form.set("rows", [
                ...rows,
                {
                  weekday: String((Number(rows.at(-1)?.weekday ?? 0) % 7) + 1),
                  start: "08:00",
                  end: "09:30",
                  warmMinutes: "10",
                },
              ])
            }
          >
            {t("addLesson")}
          </Button>
          <Button type="submit" size="sm" busy={form.submitting}>
            {t("saveLessons")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
