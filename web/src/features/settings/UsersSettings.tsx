// Users and their roles: create a user, change role, the override-consent right, or disable them.
import { Badge, Button, Group, Select, Switch, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { Items, Role, User } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { CreateUserModal } from "./CreateUserModal.tsx";

const ROLES: Role[] = ["admin", "marketer", "viewer"];

export function UsersSettings() {
  const { t, formatDate } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { user: me } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const query = useQuery({ queryKey: ["users"], queryFn: () => api.get<Items<User>>("/api/users") });

  async function change(
    user: User,
    patch: Partial<Pick<User, "role" | "canOverrideConsent" | "canErase" | "disabled">>,
  ) {
    try {
      await api.patch(`/api/users/${user.id}`, patch);
      await queryClient.invalidateQueries({ queryKey: ["users"] });
      notifySuccess(t("settings.users.saved", { name: user.name }));
    } catch (error) {
      notifyFailure(error);
    }
  }

  return (
    <>
      <Group justify="space-between" mb="md">
        <Text c="dimmed" size="sm">
          {t("settings.users.intro")}
        </Text>
        <Button onClick={open}>{t("settings.users.new")}</Button>
      </Group>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" striped data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("settings.users.name")}</Table.Th>
                <Table.Th>{t("settings.users.email")}</Table.Th>
                <Table.Th w={160}>{t("settings.users.role")}</Table.Th>
                <Table.Th w={150}>{t("settings.users.overrideConsent")}</Table.Th>
                <Table.Th w={130}>{t("settings.users.erase")}</Table.Th>
                <Table.Th w={110}>{t("settings.users.active")}</Table.Th>
                <Table.Th w={130}>{t("common.created")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((user) => {
                const self = user.id === me?.id;
                return (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {user.name}
                        </Text>
                        {self && (
                          <Badge size="xs" variant="light">
                            {t("settings.users.you")}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{user.email}</Table.Td>
                    <Table.Td>
                      <Select
                        size="xs"
                        aria-label={`${t("settings.users.role")}: ${user.name}`}
                        value={user.role}
                        allowDeselect={false}
                        disabled={self}
                        onChange={(role) =>
                          role && role !== user.role && change(user, { role: role as Role })
                        }
                        data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`${t("settings.users.overrideConsent")}: ${user.name}`}
                        checked={user.role === "admin" || user.canOverrideConsent}
                        disabled={user.role === "admin" || user.role === "viewer"}
                        onChange={(e) => change(user, { canOverrideConsent: e.currentTarget.checked })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`${t("settings.users.erase")}: ${user.name}`}
                        checked={user.role === "admin" || user.canErase === true}
                        disabled={user.role === "admin" || user.role === "viewer"}
                        onChange={(e) => change(user, { canErase: e.currentTarget.checked })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`${t("settings.users.active")}: ${user.name}`}
                        checked={!user.disabled}
                        disabled={self}
                        onChange={(e) => change(user, { disabled: !e.currentTarget.checked })}
                      />
                    </Table.Td>
                    <Table.Td>{formatDate(user.createdAt)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CreateUserModal opened={creating} onClose={close} />
    </>
  );
}
