"use client";
// Edits one set of limits (a role's defaults, a group's, a user's): every key optional, an empty field
// is "no limit". Numbers stay typed text until submit so a half-typed value is not snapped to 0.
import { useTranslations } from "next-intl";
import { QUOTA_KEYS, quotaLimitsSchema, type QuotaKey, type QuotaLimits } from "@/common/quotas";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";

type Values = Record<QuotaKey, string>;

const initialValues = (limits: QuotaLimits): Values =>
  Object.fromEntries(QUOTA_KEYS.map((k) => [k, limits[k] == null ? "" : String(limits[k])])) as Values;

export function QuotaLimitsDialog({
  open,
  title,
  description,
  limits,
  onClose,
  onSave,
}: {
  open: boolean;
  title: string;
  description?: string;
  limits: QuotaLimits;
  onClose: () => void;
  /** Throws what the server refused; the dialog shows it beside the field it names. */
  onSave: (limits: QuotaLimits) => Promise<void>;
}) {
  const t = useTranslations("usage");
  const tc = useTranslations("common");
  const form = useFormDialog({
    open,
    initial: () => initialValues(limits),
    resetOn: [limits],
    // The server names a field "limits.<key>".
    serverFields: (errors) =>
      Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace(/^limits\./, ""), v])),
  });
  const { values, set, fieldErrors } = form;

  const onSubmit = form.handleSubmit(async () => {
    const input = Object.fromEntries(
      QUOTA_KEYS.map((k) => [k, values[k].trim() === "" ? null : Number(values[k])]),
    );
    const checked = form.check(quotaLimitsSchema, input);
    if (!checked) return;
    await onSave(checked);
    onClose();
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      description={description ?? t("limitsHint")}
      size="lg"
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <div className="grid gap-4 sm:grid-cols-2">
          {QUOTA_KEYS.map((k) => (
            <Input
              key={k}
              label={t(`limitLabels.${k}`)}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              placeholder={t("noLimitPlaceholder")}
              value={values[k]}
              onChange={(e) => set(k, e.target.value)}
              error={fieldErrors[k]}
            />
          ))}
        </div>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={form.submitting}>
            {t("saveLimits")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
