// Schedules a mailing: date, time and time zone (the browser's zone unless another is chosen).
import { Button, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { useI18n } from "../../i18n/i18n.tsx";

export type Schedule = { date: string; time: string; timeZone: string };

const FALLBACK_ZONES = ["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/London", "UTC"];

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Oslo";
  } catch {
    return "Europe/Oslo";
  }
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return FALLBACK_ZONES;
  }
}

function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function ScheduleModal({
  opened,
  onClose,
  onSchedule,
}: {
  opened: boolean;
  onClose: () => void;
  onSchedule: (schedule: Schedule) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [date, setDate] = useState(tomorrow);
  const [time, setTime] = useState("09:00");
  const [timeZone, setTimeZone] = useState(browserTimeZone);
  const [busy, setBusy] = useState(false);
  const zones = timeZones();
  if (!zones.includes(timeZone)) zones.unshift(timeZone);

  useEffect(() => {
    if (opened) setTimeZone(browserTimeZone());
  }, [opened]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const done = await onSchedule({ date, time, timeZone });
    setBusy(false);
    if (done) onClose();
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t("sending.scheduleTitle")}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput
              type="date"
              label={t("sending.date")}
              required
              value={date}
              onChange={(e) => setDate(e.currentTarget.value)}
            />
            <TextInput
              type="time"
              label={t("sending.time")}
              required
              value={time}
              onChange={(e) => setTime(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Select
            label={t("sending.timeZone")}
            searchable
            allowDeselect={false}
            value={timeZone}
            onChange={(v) => v && setTimeZone(v)}
            data={zones}
          />
          <Text size="sm" c="dimmed">
            {t("sending.scheduleHelp")}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={!date || !time}>
              {t("sending.schedule")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
