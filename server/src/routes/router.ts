import { OpenAPIHono } from '@hono/zod-openapi'
import { PatchbayError } from '../lib/errors'
import { zodErrors } from '../middleware/errors'
import type { AppEnv } from '../middleware/types'

/**
 * A router whose zod validation failures become `invalid_request` problems with field paths.
 */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new PatchbayError('invalid_request', 'The request is not valid', { errors: zodErrors(result.error as never) })
    },
  })
}

export const secretKeySecurity = [{ secretKey: [] }]
export const sessionSecurity = [{ connectSession: [] }]
