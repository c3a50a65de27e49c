// Text widths in Liberation Sans, so Vega sizes figures by the font the SVG names instead of its 0.8 em per
// character guess (which left a third of every figure blank on the right). Advance widths per 1000 em, read
// once from LiberationSans-Regular/Bold.ttf (metric-compatible with Arial/Helvetica) and written here, so the
// output does not depend on which fonts the machine rendering it has.

/** Advance widths of the printable ASCII characters U+0020…U+007E. */
const ASCII_REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const ASCII_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
  611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
/** Characters beyond ASCII that the figures use; bold differs only where listed. */
const EXTRA_REGULAR: Readonly<Record<string, number>> = { 'µ': 576, '—': 1000, '–': 556, '×': 584, '…': 1000, '→': 1000, '←': 1000, '↔': 1000, '·': 278, '°': 400, '±': 549, '≈': 549, '≤': 549, '≥': 549, '•': 350, '’': 222, '‘': 222, '“': 333, '”': 333, 'é': 556, '●': 604 };
const EXTRA_BOLD: Readonly<Record<string, number>> = { '’': 278, '‘': 278, '“': 500, '”': 500 };
/** Anything else: the width of a digit, about the font's average. */
const FALLBACK = 556;

/** Width in pixels of `text` set in Liberation Sans at `fontSize` px, bold or regular. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const ascii = bold ? ASCII_BOLD : ASCII_REGULAR;
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const w = code >= 32 && code <= 126 ? ascii[code - 32] : (bold ? EXTRA_BOLD[ch] : undefined) ?? EXTRA_REGULAR[ch];
    units += w ?? FALLBACK;
  }
  return (units * fontSize) / 1000;
}
