import { lent } from './shared'

export const { useEffect, useId, useMemo, useRef, useState } = lent.react
