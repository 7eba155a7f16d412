// List state (search text, filters, page offset) kept in the URL so back and reload return to the same rows.
import { useCallback } from "react";
import { useSearchParams } from "react-router";

export function useListParams<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((key) => [key, params.get(key) ?? ""])) as Record<K, string>;
  const offset = Math.max(0, Number(params.get("offset") ?? 0) || 0);

  const set = useCallback(
    (changes: Partial<Record<K | "offset", string | number>>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === "" || value === 0 || value === undefined) next.delete(key);
            else next.set(key, String(value));
          }
          // Changing a filter goes back to the first page.
          if (!("offset" in changes)) next.delete("offset");
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  return { values, offset, set };
}
