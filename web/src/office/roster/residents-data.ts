import { compareNatural } from '../../../../server/core/natural';
import { call, client, type Data } from '../../client';
import { useLoad } from '../../ui/kit';

// The roster's residents and buildings as the office pages load them.

const compound = client.api.compounds[':cid'];

/** A resident as GET /residents gives them: address, active pass and latest test. */
export type ResidentRow = Data<typeof compound.residents.$get>['residents'][number];

export type Building = Data<typeof compound.buildings.$get>['items'][number];

export interface ResidentFilter {
  q: string;
  buildingId: number | '';
  offset: number;
}

export const emptyFilter: ResidentFilter = { q: '', buildingId: '', offset: 0 };

export const PAGE_SIZE = 50;

/** "2号楼" before "10号楼". */
export const natural = compareNatural;

export function useBuildings(compoundId: number) {
  return useLoad(
    () => call(compound.buildings.$get({ param: { cid: String(compoundId) } })).then((r) => r.items.sort((a, b) => natural(a.name, b.name))),
    [compoundId],
  );
}

/** One page of residents for a filter; GET /residents searches name, phone or an exact room number. */
export function useResidents(compoundId: number, f: ResidentFilter) {
  const q = f.q.trim();
  return useLoad(
    () =>
      call(
        compound.residents.$get({
          param: { cid: String(compoundId) },
          query: { limit: PAGE_SIZE, offset: f.offset, q: q || undefined, buildingId: f.buildingId || undefined },
        }),
      ),
    [compoundId, f.offset, q, f.buildingId],
  );
}
