/**
 * Every user-facing string of the widget, in one object a host can override in part
 * (`messages` prop or element property; deep-partial, merged over these defaults).
 * Placeholders in braces — `{name}`, `{account}` — are filled by {@link format}.
 * @example <PatchbayMarketplace messages={{ catalog: { title: 'Apps' }, detail: { connect: 'Verbinden' } }} />
 */
export const defaultMessages = {
  catalog: {
    title: 'Integrations',
    subtitle: 'Connect the tools you already use.',
    searchLabel: 'Search integrations',
    searchPlaceholder: 'Search integrations',
    categoriesLabel: 'Categories',
    allCategories: 'All',
    loading: 'Loading integrations…',
    empty: 'No integrations are available yet.',
    emptyHint: 'Check back later, or ask your administrator which tools can be connected.',
    noResults: 'No integrations match “{query}”.',
    clearFilters: 'Clear search',
    close: 'Close',
  },
  status: {
    notConnected: 'Not connected',
    connected: 'Connected',
    connectedCount: '{count} connected',
    authorizing: 'Connecting…',
    needsReauth: 'Reconnect needed',
    error: 'Error',
    revoked: 'Access revoked',
    disabled: 'Unavailable',
  },
  detail: {
    back: 'Back to integrations',
    permissionsTitle: 'What {name} shares',
    permissionsIntro: 'You will be asked to allow this app to:',
    permissionsIntroConnected: 'You allowed this app to:',
    noScopes: 'Access is limited to what the credentials you provide allow.',
    howOAuth: 'You will sign in to {name} in a new window. We never see your password.',
    howForm: 'Enter the details below. They are checked with {name} and stored encrypted.',
    disabledTitle: '{name} is unavailable',
    disabledBody: 'This integration has been turned off. Existing connections are kept; contact your administrator to turn it back on.',
    accountsTitle: 'Your accounts',
    connectTitle: 'Connect {name}',
    connect: 'Connect',
    addAnother: 'Add another account',
    connectedBanner: 'Connected to {name}.',
    reconnectedBanner: 'Reconnected to {name}.',
    disconnectedBanner: 'Disconnected from {name}.',
    mappedBanner: 'Saved: your records are being updated.',
    mappingResetBanner: 'Back to the default mapping: your records are being updated.',
  },
  connection: {
    defaultLabel: '{name} account',
    connectedSince: 'Connected since',
    lastVerified: 'Last verified',
    never: 'Not yet',
    reconnect: 'Reconnect',
    disconnect: 'Disconnect',
    needsReauth: '{name} needs you to sign in again before this connection can be used.',
    needsReauthAction: 'Reconnect to restore access. Your settings are kept.',
    error: 'This connection has a problem: {reason}',
    errorUnknown: 'This connection stopped working.',
    errorAction: 'Try reconnecting. If it keeps failing, disconnect it and connect again.',
    revoked: 'Access to {name} was revoked.',
    revokedAction: 'Reconnect to grant access again.',
  },
  /** The syncs of a connection: what was last brought in, and how often (when the app lets the user choose). */
  syncs: {
    title: 'Sync',
    loadFailed: 'Could not load the sync status.',
    syncing: 'Syncing…',
    paused: 'Paused',
    notYet: 'Not synced yet',
    synced: 'Synced {when}',
    syncedChanges: 'Synced {when} · {changes}',
    added: '{n} added',
    updated: '{n} updated',
    deleted: '{n} deleted',
    noChanges: 'no changes',
    failed: 'Sync failed: {reason}',
    failedUnknown: 'Sync failed',
    frequencyLabel: 'How often to sync {name}',
    frequencyFailed: 'Could not change how often {name} syncs',
    /** The API refused the frequency (`forbidden`): out of the allowed range, or no longer allowed. */
    frequencyForbidden: 'This frequency is not allowed. Choose another one.',
    /** Frequency choices; `{n}` is a number. */
    every: {
      seconds: 'Every {n} seconds',
      minute: 'Every minute',
      minutes: 'Every {n} minutes',
      hour: 'Every hour',
      hours: 'Every {n} hours',
      day: 'Every day',
      days: 'Every {n} days',
      week: 'Every week',
      weeks: 'Every {n} weeks',
    },
  },
  /**
   * Field mapping: the “Fields” section of a connection, and the screen where the end user chooses
   * where each of your model's fields comes from in their account. `{object}`: e.g. `Contacts`;
   * `{model}`: your model's name, e.g. `Contact`; `{name}`: the integration.
   */
  mapping: {
    title: 'Fields',
    target: '{object} → {model}',
    custom: 'Mapped',
    default: 'Vendor default',
    unmapped: 'Needs mapping',
    map: 'Map fields',
    edit: 'Edit mapping',
    loadFailed: 'Could not load the field mappings.',
    heading: 'Map {object}',
    intro: 'Choose where each {model} field comes from in your {name} account.',
    prompt: 'One more step: choose where each {model} field comes from in your {name} account, or do it later.',
    back: 'Back to {name}',
    later: 'Later',
    loading: 'Loading…',
    loadError: 'Could not load your fields: {reason}',
    required: 'Required',
    notMapped: 'Not mapped',
    constant: 'Fixed value…',
    join: 'Combine fields…',
    constantShown: 'Fixed value',
    joinShown: 'Combined fields',
    customField: 'Custom',
    example: 'e.g. {values}',
    noMatches: 'No fields match “{query}”.',
    value: 'Value',
    chooseField: 'Choose a field',
    joinPart: 'Field {n}',
    joinAdd: 'Add a field',
    separator: 'Separate with',
    joinTooFew: 'Choose at least two fields to combine.',
    readAs: 'Read as',
    readAsOptions: { auto: 'Automatic', iso: 'ISO 8601 text', epoch_s: 'Unix seconds', epoch_ms: 'Unix milliseconds' },
    use: 'Use',
    useOptions: { whole: 'The whole value', first: 'The first word', last: 'The last word', rest: 'Everything after the first word' },
    enumFrom: 'In {name}',
    enumTo: 'In {model}',
    enumRow: '{field}: {value}',
    noValue: 'No value',
    fallback: 'Any other value',
    ifEmpty: 'If empty, use',
    yes: 'Yes',
    no: 'No',
    /** Field types in words. */
    types: { string: 'Text', number: 'Number', integer: 'Whole number', boolean: 'Yes or no', datetime: 'Date and time', date: 'Date', enum: 'One of a list', object: 'Group of fields', array: 'List' } as Record<string, string>,
    /** Problems by the check's code; a code not listed shows the server's own words. `{values}`: the values concerned. */
    issues: {
      required_unmapped: 'Required: choose where it comes from.',
      enum_unmapped: 'No {model} value for {values} yet: records with it arrive without one.',
      unknown_path: 'This field is no longer in your {name} account: choose another.',
    } as Record<string, string>,
    blocked: 'To save, fix: {fields}.',
    save: 'Save mapping',
    cancel: 'Cancel',
    reset: 'Reset to default',
    refresh: 'Refresh fields',
    discoveryFailed: 'Could not look for custom fields: {reason}',
    saveFailed: 'Could not save the mapping: {reason}',
    resetFailed: 'Could not reset the mapping: {reason}',
    previewTitle: 'Preview',
    previewIntro: 'Your latest {name} records as they will arrive.',
    previewEmpty: 'No records yet. Once your {name} account has synced, you will see here how they arrive.',
    previewFailed: 'The preview is not available right now.',
    field: 'Field',
    record: 'Record {n}',
    empty: '—',
  },
  /** Sync names (`contacts`, `open_deals`…) to display names; others are shown in words (“Open deals”). */
  syncNames: {} as Record<string, string>,
  disconnect: {
    title: 'Disconnect {account}?',
    body: 'This app will stop accessing your {name} data. You can connect again at any time.',
    confirm: 'Disconnect',
    cancel: 'Cancel',
    pending: 'Disconnecting…',
    failed: 'Could not disconnect: {reason}',
  },
  form: {
    submit: 'Connect',
    submitReconnect: 'Reconnect',
    pending: 'Checking…',
    cancel: 'Cancel',
    required: '{label} is required',
    pattern: '{label} does not look right',
    help: 'Where do I find this?',
    optional: 'Optional',
    credentialsInvalid: '{name} did not accept these details. Check them and try again.',
    invalid: 'Some details are not valid. Correct them and try again.',
    failed: 'Could not connect: {reason}',
  },
  oauth: {
    authorizing: 'Finish signing in to {name} in the window that opened.',
    focusPopup: 'Show window',
    cancel: 'Cancel',
    closed: 'The window was closed before you finished. Try again when you are ready.',
    denied: 'You declined access to {name}. Nothing was connected.',
    blocked: 'Your browser blocked the sign-in window. Allow pop-ups for this site and try again.',
    failed: 'Could not connect to {name}: {reason}',
    retry: 'Try again',
    alreadyOpen: 'A sign-in window is already open.',
  },
  errors: {
    loadTitle: 'We could not load your integrations',
    retry: 'Retry',
    network: 'Check your connection and try again.',
    sessionExpired: 'Your session has expired. Reload the page to continue.',
    forbidden: 'This page is not allowed to show these integrations.',
    generic: 'Something went wrong. Please try again.',
  },
  /** Category ids (`crm`, `dev-tools`…) to display names; unknown ids are shown capitalised. */
  categories: {
    crm: 'CRM',
    'dev-tools': 'Developer tools',
    payments: 'Payments',
    accounting: 'Accounting',
    marketing: 'Marketing',
    support: 'Support',
    communication: 'Communication',
    productivity: 'Productivity',
    storage: 'Storage',
    hr: 'HR',
    analytics: 'Analytics',
    ecommerce: 'E-commerce',
    commerce: 'Commerce',
    other: 'Other',
  } as Record<string, string>,
  /**
   * Plain words for OAuth scopes. Exact scope strings (`'crm.objects.contacts.read': 'See your contacts'`)
   * win; otherwise a scope is described from its parts with the `read`/`write`/… templates.
   */
  scopes: {
    openid: 'Confirm who you are',
    profile: 'See your basic profile',
    email: 'See your email address',
    offline_access: 'Stay connected when you are not using this app',
    oauth: 'Connect to your account',
    read: 'See your {things}',
    write: 'Create and change your {things}',
    delete: 'Delete your {things}',
    admin: 'Fully manage your {things}',
    access: 'Access your {things}',
  } as Record<string, string>,
}

export type Messages = typeof defaultMessages

/** Every key optional, at any depth. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends Record<string, unknown> ? DeepPartial<T[K]> : T[K] }

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Merges a host's overrides over `base`, key by key; non-string leaves in the overrides are ignored. */
export function mergeMessages(base: Messages, overrides?: DeepPartial<Messages> | null): Messages {
  if (!overrides) return base
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...a }
    for (const [k, v] of Object.entries(b)) {
      if (isPlainObject(v)) out[k] = merge(isPlainObject(a[k]) ? a[k] : {}, v)
      else if (typeof v === 'string') out[k] = v
    }
    return out
  }
  return merge(base, overrides as Record<string, unknown>) as Messages
}

/**
 * Fills `{placeholders}`; unknown ones are left as they are.
 * @example format('Connect {name}', { name: 'GitHub' }) // 'Connect GitHub'
 */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m))
}
