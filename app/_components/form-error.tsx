"use client";
// The message above a form for what no single field is to blame for (a conflict, an outage).
import { Alert } from "./alert";

export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert tone="error" data-testid="form-error">
      {message}
    </Alert>
  );
}
