// `utsend bounces classify <file.eml>…`: classify returned mail without touching the database.
// `utsend bounces listen`: the inbound SMTP server for the bounce domains, until SIGINT/SIGTERM.
// `utsend bounces poll [--once]`: the bounce mailbox poller (IMAP, UTSEND_BOUNCE_IMAP_URL), once or until stopped.
// `utsend bounces blocked` / `unblock <address>`: the blocked addresses, and clearing one.
import type { Command } from "commander";
import { BLOCKED_REASONS, type BlockedReason } from "../../bounces/blocked-reasons.ts";
import { invalid } from "../../shared/errors.ts";
import { type CliContext, parseIntOption, table } from "../context.ts";

export function registerBounceCommands(program: Command, ctx: CliContext): void {
  const bounces = program.command("bounces").description("returned mail");
  bounces
    .command("classify <files...>")
    .description(
      "classify bounce, complaint and auto-reply messages (.eml); with --json one object per line per file",
    )
    .action(async (files: string[]) => {
      const { classifyFiles } = await import("../../bounces/classify-files.ts");
      const results = await classifyFiles(files);
      if (ctx.json()) {
        for (const r of results)
          ctx.printJson({
            file: r.file,
            kind: r.kind,
            recipients: r.recipients,
            status: r.status,
            reason: r.reason,
          });
        return;
      }
      ctx.print(
        table(
          ["File", "Kind", "Status", "Recipients", "Reason"],
          results.map((r) => [
            r.file,
            r.kind,
            r.status,
            r.recipients.join(", "),
            (r.reason ?? "").slice(0, 80),
          ]),
        ),
      );
    });

  bounces
    .command("blocked")
    .description("list blocked addresses, newest first; with --json one object per line per address")
    .option("--reason <reason>", `only this reason: ${BLOCKED_REASONS.join(", ")}`)
    .option("--search <text>", "only addresses (or their persons' names) containing the text")
    .action(async (options: { reason?: string; search?: string }) => {
      const reason = options.reason as BlockedReason | undefined;
      if (reason !== undefined && !BLOCKED_REASONS.includes(reason))
        throw invalid([
          {
            field: "reason",
            message: `must be one of ${BLOCKED_REASONS.join(", ")}`,
            kind: "enum",
            params: { values: BLOCKED_REASONS.join(", ") },
          },
        ]);
      await ctx.withDb(async ({ db }) => {
        const rows: Array<Array<string | number | null>> = [];
        for (let offset = 0; ; offset += 500) {
          const { listBlocked } = await import("../../bounces/blocked.ts");
          const page = await listBlocked(db, { reason, q: options.search }, { limit: 500, offset });
          for (const b of page.items) {
            if (ctx.json()) ctx.printJson(b);
            else
              rows.push([
                b.address,
                b.reason,
                b.statusCode,
                b.count,
                b.updatedAt,
                b.persons.map((p) => `${p.fullName} (#${p.id})`).join(", "),
                (b.diagnostic ?? "").slice(0, 60),
              ]);
          }
          if (page.items.length < 500) break;
        }
        if (!ctx.json())
          ctx.print(
            table(["Address", "Reason", "Status", "Count", "Updated", "Persons", "Diagnostic"], rows),
          );
      });
    });

  bounces
    .command("unblock <address>")
    .description("clear the block of an address: it may be mailed again")
    .action(async (address: string) => {
      await ctx.withDb(async ({ db }) => {
        const { clearBlocks } = await import("../../bounces/corrections.ts");
        const { cleared } = await clearBlocks(db, [address]);
        if (ctx.json()) ctx.printJson({ address: address.trim().toLowerCase(), cleared: cleared > 0 });
        else ctx.print(cleared > 0 ? `${address}: block cleared` : `${address}: was not blocked`);
      });
    });

  bounces
    .command("listen")
    .description(
      "receive bounces, complaints and mailto unsubscribes by SMTP for every sending domain's bounce domain",
    )
    .option("--port <n>", "port to listen on", "2525")
    .option("--host <h>", "address to listen on", "0.0.0.0")
    .option("--feedback-loop <address>", "an address registered with mailbox providers' feedback loops (ARF)")
    .action(async (options: { port: string; host: string; feedbackLoop?: string }) => {
      const port = parseIntOption(options.port, "port");
      const config = ctx.config();
      const { openMigrated, sendContext } = await import("../../main.ts");
      const { startBounceReceiver } = await import("../../bounces/receiver.ts");
      const handle = await openMigrated(config);
      const send = await sendContext(handle, config);
      const bounceDomains = async () =>
        (await handle.db.selectFrom("sending_domains").select("bounce_domain").execute()).map(
          (r) => r.bounce_domain,
        );
      const receiver = await startBounceReceiver({
        db: handle.db,
        keys: send.keys,
        host: options.host,
        port,
        bounceDomains,
        feedbackLoopAddress: options.feedbackLoop ?? null,
        log: (line) => console.log(line),
      });
      console.log(
        `bounce receiver listening on ${options.host}:${receiver.port} for ${(await bounceDomains()).join(", ") || "no bounce domains yet"} (${handle.describe}); Ctrl-C stops it`,
      );
      const stop = async () => {
        await receiver.close();
        await handle.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });

  bounces
    .command("poll")
    .description(
      "fetch returned mail from the bounce mailbox (UTSEND_BOUNCE_IMAP_URL), store and process it, then move or delete it",
    )
    .option("--once", "poll once and exit, printing what was done")
    .action(async (options: { once?: boolean }) => {
      const config = ctx.config();
      const { requireImapPollerSettings, describeMailbox, pollMailboxOnce, startImapPoller } = await import(
        "../../bounces/imap-poller.ts"
      );
      const settings = requireImapPollerSettings(config);
      const { openMigrated, sendContext } = await import("../../main.ts");
      const handle = await openMigrated(config);
      const send = await sendContext(handle, config);
      const log = (line: string) => console.log(line);
      const pollOptions = { ...settings, db: handle.db, keys: send.keys, log: ctx.json() ? () => {} : log };
      if (options.once) {
        try {
          const result = await pollMailboxOnce(pollOptions);
          if (ctx.json()) ctx.printJson(result);
          else
            ctx.print(
              `${describeMailbox(settings.mailbox)}: ${result.found} found, ${result.stored} stored, ${result.alreadyStored} already stored, ${result.removed} removed, ${result.skipped} skipped`,
            );
        } finally {
          await handle.close();
        }
        return;
      }
      const poller = startImapPoller(pollOptions);
      console.log(
        `polling ${describeMailbox(settings.mailbox)} every ${config.bounceImapIntervalSeconds} s (${handle.describe}); Ctrl-C stops it`,
      );
      const stop = async () => {
        await poller.stop();
        await handle.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
