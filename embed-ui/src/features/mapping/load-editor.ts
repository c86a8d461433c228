/**
 * The mapping editor, loaded when first shown. In tests it is imported here; the React component
 * build swaps in `./chunk/load-bundled.ts` (in its one file) and the standalone build `./chunk/load-standalone.ts`,
 * which loads the editor as its own script, so `<patchbay-marketplace>` stays within its size budget.
 */
export const loadMappingEditor = (_origin: string): Promise<typeof import('./mapping-editor')> => import('./mapping-editor')
