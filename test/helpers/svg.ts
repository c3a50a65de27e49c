// SVG normalization shared by the figure snapshot tests and the notebook figure checks.

/** Renumbers ids (and their references) in order of appearance, rounds attribute numbers to 2 decimals, one tag a line. */
export function normalizeSvg(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `id${ids.size}`);
  let out = svg.replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.get(id)}"`);
  out = out.replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : all));
  out = out.replace(/href="#([^"]+)"/g, (all, id: string) => (ids.has(id) ? `href="#${ids.get(id)}"` : all));
  // Coordinates only: text and accessible labels keep their words (and addresses such as 10.244.1.0/24) intact.
  const round = (v: string) => v.replace(/-?\d+\.\d+(e-?\d+)?/g, (n) => {
    const r = Math.round(Number(n) * 100) / 100;
    return String(Object.is(r, -0) ? 0 : r);
  });
  out = out.replace(/<[^>]+>/g, (tag) => tag.replace(/(\s[\w:-]+)="([^"]*)"/g, (all, name: string, value: string) => (name === ' aria-label' ? all : `${name}="${round(value)}"`)));
  return out.replace(/></g, '>\n<').trimEnd() + '\n';
}
