// What the forms feature needs from the composition root: the database, the configuration, and the signing keys and
// public address that links and tokens in messages and pages are made with.
import type { Db } from "../db/connect.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import type { Config } from "../shared/config.ts";

export type FormDeps = { db: Db; config: Config; send: { keys: Keyring; publicUrl: string } };
