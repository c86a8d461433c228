/** Text folded for matching: accents removed, lower case (`Émile` → `emile`). */
export const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
