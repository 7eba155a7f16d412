// The channels utsend sends through, by name and by the sending account kinds each registers. Documents register
// here beside e-mail and SMS.

import { SMS_ACCOUNT_KINDS } from "../../mailings/words.ts";
import { AppError } from "../../shared/errors.ts";
import type { AnyChannel, ChannelDeps } from "../channel.ts";
import { EMAIL_ACCOUNT_KINDS, emailChannel } from "./email/index.ts";
import { smsChannel } from "./sms/index.ts";

/** Every sending account kind some channel sends through. */
export const ACCOUNT_KINDS: readonly string[] = [...EMAIL_ACCOUNT_KINDS, ...SMS_ACCOUNT_KINDS];

export type ChannelRegistry = {
  byName(name: string): AnyChannel;
  forAccountKind(kind: string): AnyChannel;
};

export function channelRegistry(deps: ChannelDeps): ChannelRegistry {
  const channels: AnyChannel[] = [emailChannel(deps), smsChannel(deps)];
  return {
    byName(name) {
      const found = channels.find((c) => c.name === name);
      if (!found) throw new AppError("INTERNAL", `no channel named ${name}`, { channel: name });
      return found;
    },
    forAccountKind(kind) {
      const found = channels.find((c) => c.accountKinds.includes(kind));
      if (!found) throw new AppError("INTERNAL", `no channel sends through a ${kind} account`, { kind });
      return found;
    },
  };
}
