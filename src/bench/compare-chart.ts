import { compareTitle, CompareResults, perRoundText, versusText } from './compare-report';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An SVG bar chart of a comparison: per measure, llama-server and llamanest side by side, scaled
 * to the larger of the two, with the values and llamanest's ratio (or time difference) written on it,
 * and the ratio's per-round median with its 95% confidence interval.
 */
export function compareChart(r: CompareResults): string {
  const width = 1040;
  const rowHeight = 64;
  const top = 64;
  const labelWidth = 230;
  const barMax = width - labelWidth - 150;
  const height = top + r.rows.length * rowHeight + 34;
  const colors = { server: '#9aa5b1', nest: '#2f7ed8' };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">llamanest vs llama-server, same GGUF, same machine (medians; higher bars are better except time to first token)</text>`,
    `<text x="12" y="42" font-size="11" fill="#444">${escape(compareTitle(r))}</text>`,
  ];
  r.rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const scale = barMax / Math.max(row.llamaServer, row.llamanest);
    const versus = versusText(row, row.versus);
    parts.push(
      `<text x="12" y="${y + 18}">${escape(row.measure)}</text>`,
      `<text x="12" y="${y + 36}" fill="${row.met ? '#1a7f37' : '#b42318'}">llamanest ${escape(versus)} (goal ${escape(row.goal)})</text>`,
      `<text x="12" y="${y + 52}" font-size="11" fill="#444">per round ${escape(perRoundText(row))}</text>`,
    );
    const bars: [string, number, string][] = [
      ['llama-server', row.llamaServer, colors.server],
      ['llamanest', row.llamanest, colors.nest],
    ];
    bars.forEach(([name, value, color], b) => {
      const by = y + 4 + b * 22;
      const w = Math.max(1, value * scale);
      parts.push(
        `<rect x="${labelWidth}" y="${by}" width="${w.toFixed(1)}" height="18" fill="${color}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${by + 14}">${name} ${value.toFixed(1)} ${escape(row.unit)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
