/** The running widget's modules, lent to the mapping editor's script (`../shared.ts`). */
import type { Shared } from '../shared'

export const lent = (globalThis as unknown as { __patchbayMappingShared: Shared }).__patchbayMappingShared
