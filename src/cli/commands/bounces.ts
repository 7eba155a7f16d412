// `utsend bounces classify <file.eml>…`: classify returned mail without touching the database.
// `utsend bounces listen`: the inbound SMTP server for the bounce domains, until SIGINT/SIGTERM.
import type { Command } from "commander";
import { classifyFiles } from "../../bounces/classify-files.ts";
import { type CliContext, parseIntOption, table } from "../context.ts";

export function registerBounceCommands(program: Command, ctx: CliContext): void {
  const bounces = program.command("bounces").description("returned mail");
  bounces
    .command("classify <files...>")
    .description(
      "classify bounce, complaint and auto-reply messages (.eml); with --json one object per line per file",
    )
    .action(async (files: string[]) => {
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
}
