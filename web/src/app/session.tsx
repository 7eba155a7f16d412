// The signed-in user: loaded from /api/auth/me, set by signing in, cleared by signing out or a 401.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from "react";
import { ApiError } from "../api/client.ts";
import { useApi } from "../api/context.tsx";
import type { Right, Session, User } from "../api/types.ts";

const SESSION_KEY = ["session"];

type SessionState = {
  loading: boolean;
  user: User | null;
  rights: Right[];
  can: (right: Right) => boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
};

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();

  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await api.get<Session>("/api/auth/me");
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const session = query.data ?? null;

  useEffect(() => {
    api.setCsrfToken(session?.csrfToken ?? null);
  }, [api, session?.csrfToken]);

  useEffect(() => {
    api.onUnauthorized(() => {
      queryClient.setQueryData(SESSION_KEY, null);
    });
    return () => api.onUnauthorized(null);
  }, [api, queryClient]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const result = await api.post<{ user: User; csrfToken: string }>("/auth/login", { email, password });
      api.setCsrfToken(result.csrfToken);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      // Ask for the rights too; set the cache directly, since a cached "signed out" may still count as fresh.
      queryClient.setQueryData(SESSION_KEY, await api.get<Session>("/api/auth/me"));
    },
    [api, queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post("/api/auth/logout");
    } finally {
      api.setCsrfToken(null);
      queryClient.setQueryData(SESSION_KEY, null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    }
  }, [api, queryClient]);

  const value = useMemo<SessionState>(() => {
    const rights = session?.rights ?? [];
    return {
      loading: query.isPending,
      user: session?.user ?? null,
      rights,
      can: (right) => rights.includes(right),
      signIn,
      signOut,
    };
  }, [session, query.isPending, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const context = useContext(SessionContext);
  if (!context) throw new Error("useSession outside SessionProvider");
  return context;
}
