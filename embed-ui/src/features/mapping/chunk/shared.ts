/**
 * What the standalone widget lends the mapping editor's script (see `./entry.ts`): exactly the
 * names the editor's modules import from React, the JSX runtime, react-query and the widget's own
 * stateful modules. A name missing here is `undefined` in the editor: keep in step with `./shims/*`.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { Fragment, jsx, jsxs } from 'react/jsx-runtime'
import { useQuery } from '@tanstack/react-query'
import { ApiError } from '../../../api/client'
import { isNotFound, isSyncing, mappingEditorQuery, mappingPreviewQuery, useRefreshMappingFields, useResetMapping, useSaveMapping } from '../../../api/queries'
import { describeError, reportError, useWidget } from '../../../context'

/** The global the editor's script reads its dependencies from. */
export const SHARED_GLOBAL = '__patchbayMappingShared'

export const shared = {
  react: { useEffect, useId, useMemo, useRef, useState },
  jsx: { Fragment, jsx, jsxs },
  rq: { useQuery },
  client: { ApiError },
  queries: { isNotFound, isSyncing, mappingEditorQuery, mappingPreviewQuery, useRefreshMappingFields, useResetMapping, useSaveMapping },
  context: { describeError, reportError, useWidget },
}
export type Shared = typeof shared
