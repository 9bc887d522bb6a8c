import { ReactNode, useId } from 'react';
import { useI18n } from '../i18n/i18n';

export interface BarSeries {
  key: string;
  label: string;
  /** A CSS colour with at least 3:1 contrast against white (WCAG 1.4.11). */
  colour: string;
}

export interface BarGroup {
  label: string;
  values: Record<string, number>;
}

/**
 * Stacked horizontal bars with a legend. The picture is aria-hidden: the same numbers are in a
 * table right after it (visually hidden unless `showTable`), so nothing is only in the picture.
 */
export function BarChart({ title, series, groups, showTable }: { title: ReactNode; series: BarSeries[]; groups: BarGroup[]; showTable?: boolean }) {
  const { formatNumber } = useI18n();
  const id = useId();
  const max = Math.max(1, ...groups.map((g) => series.reduce((s, x) => s + (g.values[x.key] ?? 0), 0)));
  const rowHeight = 28;
  const labelWidth = 150;
  const width = 560;
  const barWidth = width - labelWidth - 60;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${groups.length * rowHeight + 8}`} width="100%" aria-hidden="true" focusable="false">
        {groups.map((g, gi) => {
          let x = labelWidth;
          const total = series.reduce((s, v) => s + (g.values[v.key] ?? 0), 0);
          return (
            <g key={g.label} transform={`translate(0 ${gi * rowHeight + 4})`}>
              <text x={labelWidth - 8} y={rowHeight / 2} textAnchor="end" dominantBaseline="middle" className="chart-label">
                {g.label}
              </text>
              {series.map((s) => {
                const w = ((g.values[s.key] ?? 0) / max) * barWidth;
                const rect = w > 0 ? <rect key={s.key} x={x} y={4} width={w} height={rowHeight - 8} fill={s.colour} /> : null;
                x += w;
                return rect;
              })}
              <text x={x + 6} y={rowHeight / 2} dominantBaseline="middle" className="chart-label">
                {formatNumber(total)}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.key}>
            <span className="swatch" style={{ background: s.colour }} />
            {s.label}
          </li>
        ))}
      </ul>
      <table className={showTable ? undefined : 'visually-hidden'}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <td />
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.label}>
              <th scope="row">{g.label}</th>
              {series.map((s) => (
                <td key={s.key} className="num">
                  {formatNumber(g.values[s.key] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
