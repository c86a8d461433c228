import { lent } from './shared'

export const { ApiError } = lent.client
