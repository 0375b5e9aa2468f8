"use client";
// The usual dialog with a form: the form-wide error on top, the fields, then Cancel and the submit
// button (busy while the form is sent). The fields and what submitting does are the caller's.
import { useTranslations } from "next-intl";
import type { FormEventHandler, ReactNode } from "react";
import { Button } from "./button";
import { Dialog, DialogActions } from "./dialog";
import { FormError } from "./form-error";

export function FormDialog({
  open,
  onClose,
  title,
  description,
  size,
  onSubmit,
  error,
  submitting,
  submitLabel,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  size?: "md" | "lg";
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | null;
  submitting: boolean;
  submitLabel: string;
  children: ReactNode;
}) {
  const tc = useTranslations("common");
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description} size={size}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={error} />
        {children}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={submitting}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
