/** The look every printable A4 page shares: a bar with a Print button (hidden on paper), plain tables. */
export const PAGE_STYLE = `
  @page { size: A4; margin: 12mm; }
  body { font-family: 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0; color: #111; }
  .bar { padding: 8px 12px; background: #0f4c81; color: #fff; display: flex; justify-content: space-between; align-items: center; }
  .bar button { font: inherit; padding: 6px 16px; }
  @media print { .bar { display: none; } }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #333; padding: 6px 8px; text-align: left; vertical-align: top; }
  th { background: #eef2f7; }
`;
