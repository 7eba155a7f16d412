// `utsend mailings send <id>` (starts it and sends, or generates a document, with a progress bar), `utsend mailings
// document <id> -o file` (a generated document) and `utsend worker` (a send worker alone).
import cliProgress from "cli-progress";
import type { Command } from "commander";
// ../../main.ts (the server and the send worker) is loaded by the commands that use it: other commands start lighter.
import { MAILING_STATUSES, MAILING_TYPES } from "../../mailings/words.ts";
import { AppError } from "../../shared/errors.ts";
import { type CliContext, oneOf, pageOptions, parseIntOption, printPage } from "../context.ts";

export function registerMailingCommands(program: Command, ctx: CliContext): void {
  const mailings = program.command("mailings").description("mailings");
  mailings
    .command("list")
    .description("list mailings, newest first (id, name, type, status), optionally by name, status or type")
    .option("-q, --query <text>", "search text")
    .option("--status <status>", `one of ${MAILING_STATUSES.join(", ")}`)
    .option("--type <type>", `one of ${MAILING_TYPES.join(", ")}`)
    .option("--limit <n>", "rows to show (1–500)", "50")
    .option("--offset <n>", "rows to skip", "0")
    .action(
      async (options: { query?: string; status?: string; type?: string; limit: string; offset: string }) => {
        const status = oneOf(options.status, MAILING_STATUSES, "--status");
        const type = oneOf(options.type, MAILING_TYPES, "--type");
        const { limit, offset } = pageOptions(options);
        const { listMailings } = await import("../../mailings/store.ts");
        const page = await ctx.withDb((h) =>
          listMailings(h.db, { q: options.query, status, type }, { limit, offset }),
        );
        printPage(ctx, page, ["ID", "Name", "Type", "Status", "Updated"], (m) => [
          m.id,
          m.name,
          m.type,
          m.status,
          m.updatedAt,
        ]);
      },
    );
  mailings
    .command("send <id>")
    .description("start a mailing now and send it from this process, with a progress bar")
    .option("--no-start", "only send: the mailing was started elsewhere (API, UI, schedule)")
    .action(async (id: string, options: { start: boolean }) => {
      const mailingId = parseIntOption(id, "id");
      await ctx.withDb(async (handle) => {
        const config = ctx.config();
        const { beginSending } = await import("../../send/planner.ts");
        const { mailingProgress } = await import("../../mailings/actions.ts");
        const { sendContext, startWorker } = await import("../../worker.ts");
        const send = await sendContext(handle, config);
        if (options.start) {
          // As Send in the API: a spam score nobody dismissed with a reason stops it (docs/deliverability.md).
          const { createSpamChecker } = await import("../../deliverability/spam-check.ts");
          const { spamScorer } = await import("../../deliverability/spamassassin.ts");
          const checker = createSpamChecker({ db: handle.db, scorer: spamScorer(config), send: () => send });
          const { sendingAccountBlockers } = await import("../../send/accounts.ts");
          const problems = [
            ...(await sendingAccountBlockers(handle.db, mailingId, config.publicUrl)),
            ...(await checker.blockingProblems(mailingId)),
          ];
          if (problems.length > 0)
            throw new AppError(
              "MAILING_NOT_READY",
              `mailing ${mailingId} cannot be sent: ${problems.map((p) => p.message).join("; ")}`,
              { problems },
            );
          await beginSending(handle.db, mailingId);
        }
        const quiet = {
          info: (line: string) => (ctx.json() ? undefined : process.stderr.write(`\n${line}\n`)),
        };
        const running = startWorker(handle, config, send, quiet);
        // An SMS outside its sending window waits without a sound otherwise; say until when.
        const { getMailing } = await import("../../mailings/store.ts");
        const window = (await getMailing(handle.db, mailingId)).smsWindow;
        if (window && !window.open && window.opensAt)
          quiet.info(`outside the SMS sending window: waits until ${window.opensAt}`);
        const letters = (await getMailing(handle.db, mailingId)).type === "document";
        const bar = ctx.json()
          ? null
          : new cliProgress.SingleBar(
              {
                format: letters
                  ? "generating {bar} {value}/{total} letters | ETA {eta_formatted}"
                  : "sending {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed} unknown {unknown}",
              },
              cliProgress.Presets.shades_classic,
            );
        let progress = await mailingProgress(handle.db, mailingId);
        bar?.start(progress.total, 0, { rate: 0, failed: 0, unknown: 0 });
        const done = new Set(["finished", "cancelled", "paused", "draft"]);
        while (!done.has(progress.status)) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          progress = await mailingProgress(handle.db, mailingId);
          bar?.setTotal(progress.total);
          bar?.update(progress.sent + progress.failed + progress.unknown, {
            rate: progress.ratePerSecond,
            failed: progress.failed,
            unknown: progress.unknown,
          });
        }
        bar?.stop();
        await running.stop();
        if (ctx.json()) ctx.printJson(progress);
        else if (letters) {
          const { documentState } = await import("../../documents/store.ts");
          const state = await documentState(handle.db, mailingId);
          ctx.print(
            state?.status === "ready"
              ? `mailing ${mailingId} is ${progress.status}: ${state.letters} letters, ${state.pages ?? "?"} pages, ${state.bytes} bytes (${state.format}); save it with \`utsend mailings document ${mailingId} -o letters.${state.format}\``
              : `mailing ${mailingId} is ${progress.status}${state?.error ? `: ${state.error}` : ""}`,
          );
          if (state?.note) ctx.print(state.note);
        } else
          ctx.print(
            `mailing ${mailingId} is ${progress.status}: ${progress.sent} sent${progress.delivered === null ? "" : ` (${progress.delivered} delivered)`}, ${progress.failed} failed, ${progress.unknown} unknown`,
          );
      });
    });

  mailings
    .command("document <id>")
    .description("save a document mailing's generated document (PDF, or DOCX when LibreOffice was missing)")
    .requiredOption("-o, --output <file>", "where to write it ('-' for standard output)")
    .action(async (id: string, options: { output: string }) => {
      const mailingId = parseIntOption(id, "id");
      const { readyDocument } = await import("../../documents/store.ts");
      const { createReadStream, createWriteStream } = await import("node:fs");
      const { pipeline } = await import("node:stream/promises");
      await ctx.withDb(async (handle) => {
        const file = await readyDocument(handle.db, ctx.config().dataDir, mailingId);
        const { recordAudit } = await import("../../audit/log.ts");
        await recordAudit(handle.db, {
          actor: { kind: "cli" },
          origin: { ip: null, userAgent: null },
          action: "export.document",
          target: { type: "mailing", id: String(mailingId) },
          detail: { bytes: file.bytes },
        });
        await pipeline(
          createReadStream(file.path),
          options.output === "-" ? process.stdout : createWriteStream(options.output),
        );
        if (options.output !== "-")
          ctx.print(`wrote ${options.output} (${file.format}, ${file.bytes} bytes)`);
      });
    });

  program
    .command("worker")
    .description("run a send worker on its own (several may run, on several machines)")
    .action(async () => {
      const config = ctx.config();
      // worker.ts, not main.ts: a worker process loads no HTTP app.
      const { openMigrated } = await import("../../db/migrate.ts");
      const { sendContext, startWorker } = await import("../../worker.ts");
      const handle = await openMigrated(config);
      const { ensureOutboxAccount } = await import("../../send/accounts.ts");
      await ensureOutboxAccount(handle.db);
      const send = await sendContext(handle, config);
      const running = startWorker(handle, config, send, { info: (line) => console.log(line) });
      console.log(`send worker ${running.worker.owner} is running (${handle.describe}); Ctrl-C stops it`);
      const stop = async () => {
        await running.stop();
        await handle.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
