/** Shapes the office pages share, apart from any one page (a tab imports these, never the page that holds it). */

export interface Compound {
  id: number;
  name: string;
  timezone: string;
}
