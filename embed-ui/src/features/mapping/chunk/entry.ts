/**
 * Entry of the mapping editor's own script for the standalone widget (`vite build --mode mapping`,
 * `patchbay-mapping.<hash>.js`, global `PatchbayMapping`). React, react-query and the widget's
 * stateful modules (context, API client and queries) are not bundled again: `./shims/*` read them
 * from the running widget (`./shared.ts`), so both use one React, one QueryClient and one context.
 */
export { MappingEditor } from '../mapping-editor'
