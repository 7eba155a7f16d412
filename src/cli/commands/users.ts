// `utsend user add`: create a user from the command line.
import { randomBytes } from "node:crypto";
import { type Command, Option } from "commander";
import { ROLES, type Role } from "../../auth/rights.ts";
import type { CliContext } from "../context.ts";

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command("user").description("manage users");
  user
    .command("add")
    .description(
      "create a user; the password comes from --password, UTSEND_NEW_USER_PASSWORD, or is generated and printed",
    )
    .requiredOption("--email <email>", "e-mail address (the user name)")
    .requiredOption("--name <name>", "display name")
    .addOption(new Option("--role <role>", "role").choices([...ROLES]).default("marketer"))
    .option("--password <password>", "password (at least 10 characters)")
    .option("--can-override-consent", "allow the user to override consent in mailings", false)
    .action(
      async (options: {
        email: string;
        name: string;
        role: Role;
        password?: string;
        canOverrideConsent: boolean;
      }) => {
        const given = options.password ?? process.env.UTSEND_NEW_USER_PASSWORD;
        const password = given ?? randomBytes(12).toString("base64url");
        const { createUser } = await import("../../auth/users.ts");
        const { recordAudit } = await import("../../audit/log.ts");
        const created = await ctx.withDb(async (handle) => {
          const made = await createUser(handle.db, {
            email: options.email,
            name: options.name,
            role: options.role,
            password,
            canOverrideConsent: options.canOverrideConsent,
          });
          await recordAudit(handle.db, {
            actor: { kind: "cli" },
            origin: { ip: null, userAgent: null },
            action: "user.created",
            target: { type: "user", id: made.id },
            detail: { email: made.email, role: made.role, canOverrideConsent: made.canOverrideConsent },
          });
          return made;
        });
        if (ctx.json()) ctx.printJson({ user: created, ...(given ? {} : { password }) });
        else
          ctx.print(
            `Created ${created.role} ${created.email} (id ${created.id})${given ? "" : ` with password ${password}`}`,
          );
      },
    );
}
