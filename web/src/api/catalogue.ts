// Queries for the small catalogues many pages share: consent purposes, subscription types, custom fields, interests.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "./context.tsx";
import type { ConsentPurpose, CustomField, Interest, Items, SubscriptionType } from "./types.ts";

export function useConsentPurposes() {
  const api = useApi();
  return useQuery({
    queryKey: ["consent-purposes"],
    queryFn: () => api.get<Items<ConsentPurpose>>("/api/consent-purposes"),
    staleTime: 60_000,
  });
}

export function useSubscriptionTypes() {
  const api = useApi();
  return useQuery({
    queryKey: ["subscription-types"],
    queryFn: () => api.get<Items<SubscriptionType>>("/api/subscription-types"),
    staleTime: 60_000,
  });
}

export function useCustomFields() {
  const api = useApi();
  return useQuery({
    queryKey: ["custom-fields"],
    queryFn: () => api.get<Items<CustomField>>("/api/custom-fields"),
    staleTime: 60_000,
  });
}

export function useInterests() {
  const api = useApi();
  return useQuery({
    queryKey: ["interests"],
    queryFn: () => api.get<Items<Interest>>("/api/interests"),
    staleTime: 60_000,
  });
}
