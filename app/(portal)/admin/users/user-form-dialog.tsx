"use client";
// One dialog for "New user" and "Edit": the same fields, minus username and password when editing
// (usernames never change; passwords have their own reset action).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { ACCOUNT_ROLES, type AccountRole } from "@/common/roles";
import type { GroupView } from "@/app/_trpc/views";
import { createUserInput, updateUserInput } from "@/common/users";
import type { UserView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  username: string;
  displayName: string;
  email: string;
  password: string;
  role: AccountRole;
  groupIds: number[];
}

function initialValues(user: UserView | null): Values {
  return {
    username: user?.username ?? "",
    displayName: user?.displayName ?? "",
    email: user?.email ?? "",
    password: "",
    role: user?.role ?? "user",
    groupIds: user?.groupIds ?? [],
  };
}

interface UserFormDialogProps {
  open: boolean;
  /** null: create a new user. */
  user: UserView | null;
  groups: GroupView[];
  onClose: () => void;
  onDone: (message: string) => void;
}

export function UserFormDialog({ open, user, groups, onClose, onDone }: UserFormDialogProps) {
  const t = useTranslations("users");
  const tr = useTranslations("roles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  // Each opening starts from the chosen user's current data, not from the last attempt.
  const form = useFormDialog({ open, initial: () => initialValues(user), resetOn: [user] });
  const { values, set, fieldErrors } = form;
  const create = useMutation(trpc.users.create.mutationOptions());
  const update = useMutation(trpc.users.update.mutationOptions());
  const busy = create.isPending || update.isPending;

  // e.g. a taken username comes back as fieldErrors.username, shown beside the field.
  const onSubmit = form.handleSubmit(async () => {
    if (user) {
      const checked = form.check(updateUserInput, {
        id: user.id,
        displayName: values.displayName,
        email: values.email,
        role: values.role,
        groupIds: values.groupIds,
      });
      if (!checked) return;
      await update.mutateAsync(checked);
      onDone(t("updated", { username: user.username }));
    } else {
      const checked = form.check(createUserInput, values);
      if (!checked) return;
      const created = await create.mutateAsync(checked);
      onDone(t("created", { username: created.username }));
    }
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={user ? t("editTitle", { username: user.username }) : t("createTitle")}
      size="lg"
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <div className="grid gap-4 sm:grid-cols-2">
          {!user && (
            <Input
              label={t("username")}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              value={values.username}
              onChange={(e) => set("username", e.target.value)}
              error={fieldErrors.username}
            />
          )}
          <Input
            label={t("displayName")}
            value={values.displayName}
            onChange={(e) => set("displayName", e.target.value)}
            error={fieldErrors.displayName}
          />
          <Input
            label={t("email")}
            type="email"
            autoComplete="off"
            value={values.email}
            onChange={(e) => set("email", e.target.value)}
            error={fieldErrors.email}
          />
          {!user && (
            <Input
              label={t("password")}
              type="password"
              autoComplete="new-password"
              value={values.password}
              onChange={(e) => set("password", e.target.value)}
              error={fieldErrors.password}
              hint={t("passwordHint")}
            />
          )}
          <Select
            label={t("role")}
            value={values.role}
            onChange={(e) => set("role", e.target.value as AccountRole)}
            options={ACCOUNT_ROLES.map((r) => ({ value: r, label: tr(r) }))}
            error={fieldErrors.role}
          />
        </div>
        <CheckboxGroup
          legend={t("groups")}
          options={groups.map((g) => ({ id: g.id, label: g.name }))}
          value={values.groupIds}
          onChange={(ids) => set("groupIds", ids)}
          error={fieldErrors.groupIds}
          empty={t("noGroupsAvailable")}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={busy}>
            {user ? t("saveChanges") : t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
