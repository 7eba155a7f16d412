// The visual editor's library on a page of its own: the images (thumbnail, size, who uploaded them, the public
// address to copy; upload and delete, saying what still uses one) and the saved blocks (rename, delete).
import {
  Alert,
  Anchor,
  Button,
  CopyButton,
  FileButton,
  Group,
  Image,
  List,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import type { ImageUses, LibraryImage, SavedBlock } from "../../../../src/editor/api-schemas.ts";
import { useApi } from "../../api/context.tsx";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { errorText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";

/** The server's limits (src/editor/images.ts), checked here first so a too-large file is named before it is sent. */
const UPLOAD_LIMIT_MB = 5;
const TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
const IMAGES = ["images"];
const BLOCKS = ["saved-blocks"];

function ImagesSection() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<LibraryImage | null>(null);
  const images = useQuery({
    queryKey: IMAGES,
    queryFn: () => api.get<{ items: LibraryImage[] }>("/api/images"),
  });

  const size = (bytes: number) =>
    bytes < 1024 * 1024
      ? `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} kB`
      : `${formatNumber(Math.round(bytes / 104857.6) / 10)} MB`;

  async function upload(file: File | null) {
    if (!file) return;
    setProblem(null);
    if (file.size > UPLOAD_LIMIT_MB * 1024 * 1024) {
      setProblem(
        t("library.tooLarge", {
          name: file.name,
          size: formatNumber(Math.round(file.size / 104857.6) / 10),
          limit: UPLOAD_LIMIT_MB,
        }),
      );
      return;
    }
    if (file.type && !TYPES.includes(file.type)) {
      setProblem(t("library.wrongType", { name: file.name }));
      return;
    }
    setUploading(true);
    try {
      const known = new Set(images.data?.items.map((i) => i.id));
      const image = await api.upload<LibraryImage>("/api/images", file, { filename: file.name });
      await queryClient.invalidateQueries({ queryKey: IMAGES });
      notifySuccess(
        known.has(image.id) ? t("library.alreadyThere") : t("library.uploaded", { name: image.originalName }),
      );
    } catch (error) {
      setProblem(t("library.uploadFailed", { name: file.name, reason: errorText(t, error) }));
    } finally {
      setUploading(false);
    }
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="library-images">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <Stack gap={2}>
            <Title order={2} size="h4" id="library-images">
              {t("library.images")}
            </Title>
            <Text size="sm" c="dimmed">
              {t("library.uploadHelp", { limit: UPLOAD_LIMIT_MB })}
            </Text>
          </Stack>
          {can("write") && (
            <FileButton onChange={upload} accept={TYPES.join(",")}>
              {(props) => (
                <Button {...props} loading={uploading} data-testid="library-upload">
                  {t("library.upload")}
                </Button>
              )}
            </FileButton>
          )}
        </Group>
        {problem && (
          <Alert
            color="red"
            role="alert"
            data-testid="library-upload-problem"
            withCloseButton
            onClose={() => setProblem(null)}
          >
            {problem}
          </Alert>
        )}
        {images.isPending ? (
          <Loading />
        ) : images.isError ? (
          <ErrorAlert error={images.error} />
        ) : images.data.items.length === 0 ? (
          <EmptyNote title={t("library.noImages")} description={t("library.noImagesHint")} />
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing={6} striped data-testid="library-images-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={96}>{t("library.preview")}</Table.Th>
                  <Table.Th>{t("library.name")}</Table.Th>
                  <Table.Th ta="right">{t("library.size")}</Table.Th>
                  <Table.Th>{t("library.dimensions")}</Table.Th>
                  <Table.Th>{t("library.uploadedBy")}</Table.Th>
                  <Table.Th>{t("library.url")}</Table.Th>
                  <Table.Th w={100} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {images.data.items.map((image) => (
                  <Table.Tr key={image.id} data-testid="library-image">
                    <Table.Td>
                      <Image src={image.url} alt="" w={80} h={56} fit="contain" radius="sm" bg="gray.1" />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={500} style={{ wordBreak: "break-all" }}>
                        {image.originalName}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{size(image.size)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{`${image.width} × ${image.height} px`}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{image.uploadedBy ?? t("library.unknownUser")}</Text>
                      <Text size="xs" c="dimmed">
                        {formatDateTime(image.createdAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Anchor
                          href={image.url}
                          target="_blank"
                          rel="noreferrer"
                          size="xs"
                          style={{ wordBreak: "break-all" }}
                        >
                          {image.url}
                        </Anchor>
                        <CopyButton value={image.url}>
                          {({ copied, copy }) => (
                            <Button
                              size="compact-sm"
                              variant={copied ? "filled" : "default"}
                              onClick={copy}
                              // The name says which image; once copied, the visible word is the name.
                              aria-label={
                                copied ? undefined : t("library.copyUrlOf", { name: image.originalName })
                              }
                            >
                              {copied ? t("library.copied") : t("library.copyUrl")}
                            </Button>
                          )}
                        </CopyButton>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {can("write") && (
                        <Button
                          size="compact-sm"
                          color="red"
                          variant="light"
                          onClick={() => setDeleting(image)}
                          aria-label={t("library.deleteImageOf", { name: image.originalName })}
                        >
                          {t("common.delete")}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <DeleteImage image={deleting} onClose={() => setDeleting(null)} />
    </Paper>
  );
}

/** Asks before deleting, and names the mailings and templates whose content still shows the image. */
function DeleteImage({ image, onClose }: { image: LibraryImage | null; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const uses = useQuery({
    queryKey: ["image-uses", image?.id],
    queryFn: () => api.get<ImageUses>(`/api/images/${image!.id}/uses`),
    enabled: image !== null,
  });

  async function confirm() {
    if (!image) return;
    setBusy(true);
    try {
      await api.delete(`/api/images/${image.id}`);
      await queryClient.invalidateQueries({ queryKey: IMAGES });
      notifySuccess(t("library.imageDeleted", { name: image.originalName }));
      onClose();
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const used = uses.data ? uses.data.mailings.length + uses.data.templates.length > 0 : false;
  return (
    <Modal opened={image !== null} onClose={onClose} title={t("library.deleteImageTitle")} centered>
      <Stack gap="sm" data-testid="delete-image-dialog">
        <Text size="sm">{t("library.deleteImageConfirm", { name: image?.originalName ?? "" })}</Text>
        {uses.isPending ? (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm">{t("library.checkingUses")}</Text>
          </Group>
        ) : uses.isError ? (
          <ErrorAlert error={uses.error} />
        ) : used ? (
          <Alert color="orange" data-testid="image-uses">
            <Text size="sm">{t("library.usedBy")}</Text>
            <List size="sm">
              {uses.data.mailings.map((m) => (
                <List.Item key={`m${m.id}`}>
                  <Anchor component={Link} to={`/mailings/${m.id}`} size="sm">
                    {t("library.mailingUse", { name: m.name })}
                  </Anchor>
                </List.Item>
              ))}
              {uses.data.templates.map((tpl) => (
                <List.Item key={`t${tpl.id}`}>{t("library.templateUse", { name: tpl.name })}</List.Item>
              ))}
            </List>
          </Alert>
        ) : (
          <Text size="sm" c="dimmed" data-testid="image-uses">
            {t("library.notUsed")}
          </Text>
        )}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button color="red" loading={busy} onClick={confirm}>
            {t("common.delete")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function SavedBlocksSection() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [renaming, setRenaming] = useState<{ block: SavedBlock; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const blocks = useQuery({
    queryKey: BLOCKS,
    queryFn: () => api.get<{ items: SavedBlock[] }>("/api/saved-blocks"),
  });

  async function rename() {
    if (!renaming) return;
    setBusy(true);
    try {
      const name = renaming.name.trim();
      await api.patch(`/api/saved-blocks/${renaming.block.id}`, { name });
      await queryClient.invalidateQueries({ queryKey: BLOCKS });
      notifySuccess(t("library.renamed", { name }));
      setRenaming(null);
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  async function remove(block: SavedBlock) {
    await api.delete(`/api/saved-blocks/${block.id}`);
    await queryClient.invalidateQueries({ queryKey: BLOCKS });
    notifySuccess(t("library.blockDeleted", { name: block.name }));
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="library-blocks">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h4" id="library-blocks">
            {t("library.blocks")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("library.blocksHelp")}
          </Text>
        </Stack>
        {blocks.isPending ? (
          <Loading />
        ) : blocks.isError ? (
          <ErrorAlert error={blocks.error} />
        ) : blocks.data.items.length === 0 ? (
          <EmptyNote title={t("library.noBlocks")} description={t("library.noBlocksHint")} />
        ) : (
          <Table verticalSpacing={6} striped data-testid="library-blocks-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("library.name")}</Table.Th>
                <Table.Th>{t("library.savedBy")}</Table.Th>
                <Table.Th>{t("library.changed")}</Table.Th>
                <Table.Th w={220} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {blocks.data.items.map((block) => (
                <Table.Tr key={block.id} data-testid="library-block">
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {block.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{block.createdBy ?? t("library.unknownUser")}</Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(block.createdAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(block.updatedAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {can("write") && (
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => setRenaming({ block, name: block.name })}
                          aria-label={t("library.renameOf", { name: block.name })}
                        >
                          {t("library.rename")}
                        </Button>
                        <ConfirmButton
                          size="compact-sm"
                          title={t("library.deleteBlockTitle")}
                          message={t("library.deleteBlockConfirm", { name: block.name })}
                          confirmLabel={t("common.delete")}
                          onConfirm={() => remove(block)}
                          aria-label={t("library.deleteBlockOf", { name: block.name })}
                        >
                          {t("common.delete")}
                        </ConfirmButton>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      <Modal
        opened={renaming !== null}
        onClose={() => setRenaming(null)}
        title={t("library.renameTitle")}
        centered
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void rename();
          }}
        >
          <Stack gap="sm">
            <TextInput
              label={t("library.name")}
              value={renaming?.name ?? ""}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setRenaming((r) => (r ? { ...r, name } : r));
              }}
              maxLength={200}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRenaming(null)}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" loading={busy} disabled={!renaming?.name.trim()}>
                {t("common.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Paper>
  );
}

export function LibraryPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("library.title")} subtitle={t("library.intro")} />
      <Stack gap="lg">
        <ImagesSection />
        <SavedBlocksSection />
      </Stack>
    </>
  );
}
