import { api } from '../../api';
import { useLoad } from '../../ui/kit';

// The roster's residents and buildings as the office pages load them.

/** A resident as GET /residents gives them: address, active pass and latest test. */
export interface ResidentRow {
  id: number;
  name: string;
  phone: string | null;
  note: string | null;
  householdId: number;
  buildingId: number;
  building: string;
  unit: string;
  room: string;
  quarantineUntil: string | null;
  passId: number | null;
  passIssuedAt: string | null;
  testSampledAt: string | null;
  testResult: 'negative' | 'positive' | 'pending' | null;
}

export interface Building {
  id: number;
  name: string;
  unitCount: number;
}

export interface ResidentFilter {
  q: string;
  buildingId: number | '';
  offset: number;
}

export const emptyFilter: ResidentFilter = { q: '', buildingId: '', offset: 0 };

export const PAGE_SIZE = 50;

/** "2号楼" before "10号楼". */
export const natural = (a: string, b: string) => a.localeCompare(b, 'zh-CN', { numeric: true });

export function useBuildings(compoundId: number) {
  return useLoad(
    () => api<{ items: Building[] }>(`/api/compounds/${compoundId}/buildings`).then((r) => r.items.sort((a, b) => natural(a.name, b.name))),
    [compoundId],
  );
}

/** One page of residents for a filter; GET /residents searches name, phone or an exact room number. */
export function useResidents(compoundId: number, f: ResidentFilter) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(f.offset) });
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.buildingId) params.set('buildingId', String(f.buildingId));
  const url = `/api/compounds/${compoundId}/residents?${params}`;
  return useLoad(() => api<{ total: number; residents: ResidentRow[] }>(url), [url]);
}
