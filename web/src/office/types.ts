import type { client, Data } from '../client';

/** Shapes the office pages share, apart from any one page (a tab imports these, never the page that holds it). */

export type Compound = Data<(typeof client.api.compounds)[':cid']['$get']>['compound'];
