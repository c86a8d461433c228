import { z } from 'zod'
import { LIFECYCLE_STAGES } from './seed.ts'

/** Body of `POST /api/v1/contacts`: `email` is required, unknown fields are rejected. */
export const ContactCreate = z.strictObject({
  email: z.email(),
  first_name: z.string().max(100).default(''),
  last_name: z.string().max(100).default(''),
  company_id: z.string().nullable().default(null),
  lifecycle_stage: z.enum(LIFECYCLE_STAGES).default('lead'),
  phone: z.string().max(40).nullable().default(null),
})

/** Body of `PATCH /api/v1/contacts/:id`: any subset of the writable fields, at least one. */
export const ContactPatch = z
  .strictObject({
    email: z.email(),
    first_name: z.string().max(100),
    last_name: z.string().max(100),
    company_id: z.string().nullable(),
    lifecycle_stage: z.enum(LIFECYCLE_STAGES),
    phone: z.string().max(40).nullable(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' })

/** One entry of a 422 `validation_failed` response. */
export interface FieldError {
  path: string
  code: string
  message: string
}

/** Flattens zod issues into `{ path, code, message }` entries (`path` dotted, `''` for the root). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }))
}
