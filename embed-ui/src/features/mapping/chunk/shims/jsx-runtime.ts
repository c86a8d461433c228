import { lent } from './shared'

export const { Fragment, jsx, jsxs } = lent.jsx
