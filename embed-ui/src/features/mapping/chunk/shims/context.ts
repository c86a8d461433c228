import { lent } from './shared'

export const { describeError, reportError, useWidget } = lent.context
