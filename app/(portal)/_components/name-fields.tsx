"use client";
// The name and description every lab and desktop profile has, as their dialogs ask for them.
import { Input, Textarea } from "@/app/_components/field";

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

export function NameInput({ label, value, onChange, error }: TextFieldProps) {
  return (
    <Input
      label={label}
      autoComplete="off"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

export function DescriptionInput({ label, value, onChange, error }: TextFieldProps) {
  return (
    <Textarea label={label} rows={2} value={value} onChange={(e) => onChange(e.target.value)} error={error} />
  );
}
