import { lent } from './shared'

export const { useQuery } = lent.rq
