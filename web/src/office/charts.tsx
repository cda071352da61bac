/** Small SVG charts: no chart library for two kinds of chart. They scale to their box. */
import { countTicks } from './ticks';

const W = 720;
const H = 220;
const PAD = { left: 34, right: 8, top: 10, bottom: 24 };

/** Grid lines and their labels at `ticks` (the last is the top of the plot). */
function YAxis(props: { ticks: number[]; format?: (n: number) => string }) {
  const max = props.ticks[props.ticks.length - 1]!;
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  return (
    <g class="axis" data-testid="y-axis">
      {props.ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text x={PAD.left - 4} y={y(v) + 4} text-anchor="end">
            {props.format ? props.format(v) : v}
          </text>
        </g>
      ))}
    </g>
  );
}

const PERCENT_TICKS = [0, 0.25, 0.5, 0.75, 1];

/** Entries, exits and people turned back for each hour of a day, stacked. */
export function HourlyChart(props: { hours: { hour: number; in: number; out: number; turnedBack: number }[]; labels: { in: string; out: string; turnedBack: string } }) {
  const ticks = countTicks(Math.max(0, ...props.hours.map((h) => h.in + h.out + h.turnedBack)));
  const max = ticks[ticks.length - 1]!;
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / 24;
  const series = [
    ['in', 'c-in'],
    ['out', 'c-out'],
    ['turnedBack', 'c-bad'],
  ] as const;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.labels.in} / ${props.labels.out} / ${props.labels.turnedBack}`} data-testid="hourly-chart">
        <YAxis ticks={ticks} />
        {props.hours.map((h) => {
          let top = PAD.top + plotH;
          return (
            <g key={h.hour}>
              {series.map(([k, cls]) => {
                const v = h[k];
                const height = (v / max) * plotH;
                top -= height;
                return v ? (
                  <rect key={k} class={cls} x={PAD.left + h.hour * step + 2} y={top} width={step - 4} height={height}>
                    <title>{`${String(h.hour).padStart(2, '0')}:00 ${props.labels[k]} ${v}`}</title>
                  </rect>
                ) : null;
              })}
              {h.hour % 3 === 0 && (
                <text class="tick" x={PAD.left + h.hour * step + step / 2} y={H - 6} text-anchor="middle">
                  {String(h.hour).padStart(2, '0')}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {series.map(([k, cls]) => (
          <span key={k}>
            <i class={cls} />
            {props.labels[k]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const PALETTE = ['#0f4c81', '#2e9d5b', '#d9822b', '#b3261e', '#7b5ea7', '#1f9bb5', '#8a6d3b', '#c2185b'];

/** One line per series over the same x labels (dates), e.g. compounds compared day by day. */
export function LineChart(props: { x: string[]; series: { name: string; values: (number | null)[] }[]; percent?: boolean }) {
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = props.percent ? PERCENT_TICKS : countTicks(Math.max(0, ...all));
  const max = ticks[ticks.length - 1]!;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(1, props.x.length - 1);
  const x = (i: number) => PAD.left + 10 + ((W - PAD.left - PAD.right - 20) * i) / n;
  const y = (v: number) => PAD.top + plotH * (1 - v / max);
  const every = Math.ceil(props.x.length / 10);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.series.map((s) => s.name).join(', ')}>
        <YAxis ticks={ticks} format={props.percent ? (v) => `${Math.round(v * 100)}%` : undefined} />
        {props.x.map((label, i) =>
          i % every === 0 ? (
            <text key={label} class="tick" x={x(i)} y={H - 6} text-anchor="middle">
              {label.slice(5)}
            </text>
          ) : null,
        )}
        {props.series.map((s, si) => {
          const color = PALETTE[si % PALETTE.length];
          const points = s.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
          return (
            <g key={s.name}>
              <polyline fill="none" stroke={color} stroke-width="2.5" points={points.join(' ')} />
              {s.values.map((v, i) =>
                v === null ? null : (
                  <circle key={props.x[i]} cx={x(i)} cy={y(v)} r="3.5" fill={color}>
                    <title>{`${s.name} ${props.x[i]}: ${props.percent ? `${Math.round(v * 100)}%` : v}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {props.series.map((s, si) => (
          <span key={s.name}>
            <i style={{ background: PALETTE[si % PALETTE.length] }} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
