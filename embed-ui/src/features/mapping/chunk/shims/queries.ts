import { lent } from './shared'

export const { isNotFound, isSyncing, mappingEditorQuery, mappingPreviewQuery, useRefreshMappingFields, useResetMapping, useSaveMapping } = lent.queries
