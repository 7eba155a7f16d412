// A link to the mailing an outbox message belongs to, by name once it is known.
import { Anchor } from "@mantine/core";
import { Link } from "react-router";
import { useMailing } from "../mailings/queries.ts";

export function MailingLink({ id }: { id: number }) {
  const query = useMailing(id);
  return (
    <Anchor component={Link} to={`/mailings/${id}`}>
      {query.data?.name ?? `#${id}`}
    </Anchor>
  );
}
