import type { Account, FindAccount } from 'oidc-provider'

/** A person who can sign in to the demo CRM. `username` is also the OIDC `sub`. */
export interface DemoUser {
  username: string
  password: string
  name: string
  email: string
}

/** The fixed demo logins, shown as a hint on the login page. */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { username: 'ada', password: 'lovelace', name: 'Ada Lovelace', email: 'ada@demo-crm.test' },
  { username: 'grace', password: 'hopper', name: 'Grace Hopper', email: 'grace@demo-crm.test' },
])

/** Checks a username/password pair; returns the user or `undefined`. */
export function checkPassword(username: string, password: string): DemoUser | undefined {
  const user = DEMO_USERS.find((u) => u.username === username.trim().toLowerCase())
  return user && user.password === password ? user : undefined
}

/** Looks up a demo user by subject. */
export function findUser(sub: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === sub)
}

/**
 * oidc-provider `findAccount`: returns the claims of a demo user, released by scope as configured in
 * `claims` (OpenID Connect Core 1.0 §5.4: `profile` → name, `email` → email, email_verified).
 */
export const findAccount: FindAccount = async (_ctx, sub): Promise<Account | undefined> => {
  const user = findUser(sub)
  if (!user) return undefined
  const [given, ...rest] = user.name.split(' ')
  return {
    accountId: user.username,
    claims: async () => ({
      sub: user.username,
      name: user.name,
      given_name: given,
      family_name: rest.join(' '),
      email: user.email,
      email_verified: true,
    }),
  }
}
