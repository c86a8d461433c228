/** Envelope encryption and key rotation without downtime. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContext, closeContext } from '../server/src/context'
import { findConnectionRow, rewriteConnectionWebhookSecret } from '../server/src/db/queries/connections'
import { findIntegrationByKey } from '../server/src/db/queries/integrations'
import { listDataKeys } from '../server/src/db/queries/keys'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { generateMasterKey } from '../server/src/lib/crypto'
import { newId } from '../server/src/lib/ids'
import { createLogger } from '../server/src/lib/logger'
import { connectionWebhookSecretOf, setConnectionWebhookSecret } from '../server/src/services/connection-webhook-secret'
import { saveConnection } from '../server/src/services/connections'
import { clientSecretOf, getIntegration, webhookSecretOf } from '../server/src/services/integrations'
import { rotateKeys } from '../server/src/services/key-rotation'
import { createWebhookEndpoint, endpointSecretContext } from '../server/src/services/webhook-endpoints'
import { findEndpoint } from '../server/src/db/queries/webhooks'
import { loadKeyring } from '../server/src/services/secrets'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'

describe.each(testDatabases())('key rotation on $name', (target) => {
  const oldKey = generateMasterKey()
  const newKey = generateMasterKey()
  let t: TestApp
  let connectionId: string
  let zendeskConnectionId: string
  let endpoint: { id: string; secret: string }

  beforeAll(async () => {
    t = await createTestApp(target, testConfig({ PATCHBAY_ENCRYPTION_KEY: oldKey }))
    await t.call('POST', '/v1/integrations', { body: { key: 'gh', connectorId: 'github', clientId: 'cid', clientSecret: 'client-secret-value' } })
    await t.call('POST', '/v1/integrations', { body: { key: 'stripe', connectorId: 'stripe' } })
    await t.call('POST', '/v1/integrations', { body: { key: 'slack', connectorId: 'slack', clientId: 'cid', webhookSecret: 'slack-signing-secret-value' } })
    const integration = await getIntegration(t.ctx, t.tenant.environmentId, 'stripe')
    const eu = await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u1' })
    connectionId = await saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId: eu.id, credentials: { type: 'api_key', values: { apiKey: 'sk_test_secretvalue' } }, connectionConfig: {}, scopes: [] })
    await t.call('POST', '/v1/integrations', { body: { key: 'zendesk', connectorId: 'zendesk', clientId: 'cid', clientSecret: 'zd-client-secret' } })
    zendeskConnectionId = await saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration: await getIntegration(t.ctx, t.tenant.environmentId, 'zendesk'), endUserId: eu.id, credentials: { type: 'oauth2', accessToken: 'zd-token' }, connectionConfig: { subdomain: 'acme' }, scopes: [] })
    await setConnectionWebhookSecret(t.ctx, t.tenant.environmentId, zendeskConnectionId, 'zendesk-signing-secret-value')
    const created = await createWebhookEndpoint(t.ctx, t.tenant.environmentId, { url: 'https://vendor.example/webhooks' })
    endpoint = { id: created.endpoint.id, secret: created.secret }
  })
  afterAll(() => t?.close())

  /** A context on the same database with another keyring (as after a redeploy). */
  async function contextWith(env: Record<string, string>) {
    const config = testConfig(env)
    return createContext(config, t.database, createLogger('silent'), loadKeyring(config))
  }

  it('stores only ciphertext that names its data key', async () => {
    const row = await findConnectionRow(t.ctx.db, connectionId)
    expect(row!.credentialsEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(row!.credentialsEnc).not.toContain('sk_test_secretvalue')
    const integ = await findIntegrationByKey(t.ctx.db, t.tenant.environmentId, 'gh')
    expect(integ!.clientSecretEnc).not.toContain('client-secret-value')
    const slack = await findIntegrationByKey(t.ctx.db, t.tenant.environmentId, 'slack')
    expect(slack!.webhookSecretEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(slack!.webhookSecretEnc).not.toContain('slack-signing-secret-value')
    const zendesk = await findConnectionRow(t.ctx.db, zendeskConnectionId)
    expect(zendesk!.webhookSecretEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(zendesk!.webhookSecretEnc).not.toContain('zendesk-signing-secret-value')
  })

  it('fails clearly when the master key is unknown', async () => {
    const ctx = await contextWith({ PATCHBAY_ENCRYPTION_KEY: newKey })
    try {
      await expect(ctx.credentials.get(t.tenant.environmentId, connectionId)).rejects.toThrow(/PATCHBAY_PREVIOUS_ENCRYPTION_KEYS/)
    } finally {
      await closeContext(ctx)
    }
  })

  it('re-wraps data keys under a new master key, then works without the old one', async () => {
    const during = await contextWith({ PATCHBAY_ENCRYPTION_KEY: newKey, PATCHBAY_PREVIOUS_ENCRYPTION_KEYS: oldKey })
    try {
      // While both keys are configured, reads work before the rotation has run: no downtime.
      expect((await during.credentials.get(t.tenant.environmentId, connectionId)).credentials).toEqual({ type: 'api_key', values: { apiKey: 'sk_test_secretvalue' } })
      const report = await rotateKeys(during)
      expect(report.rewrapped).toBeGreaterThan(0)
      expect((await listDataKeys(t.ctx.db)).every((k) => k.masterKeyId === during.secrets.keyring.current.id)).toBe(true)
    } finally {
      await closeContext(during)
    }
    const after = await contextWith({ PATCHBAY_ENCRYPTION_KEY: newKey })
    try {
      expect((await after.credentials.get(t.tenant.environmentId, connectionId)).credentials).toMatchObject({ values: { apiKey: 'sk_test_secretvalue' } })
      const gh = await getIntegration(after, t.tenant.environmentId, 'gh')
      expect(await clientSecretOf(after, gh.row)).toBe('client-secret-value')
      expect(await webhookSecretOf(after, (await getIntegration(after, t.tenant.environmentId, 'slack')).row)).toBe('slack-signing-secret-value')
      expect(await connectionWebhookSecretOf(after, (await findConnectionRow(after.db, zendeskConnectionId))!)).toBe('zendesk-signing-secret-value')
    } finally {
      await closeContext(after)
    }
  })

  it('rotates data keys and re-encrypts every secret', async () => {
    const ctx = await contextWith({ PATCHBAY_ENCRYPTION_KEY: newKey })
    try {
      const before = await findConnectionRow(ctx.db, connectionId)
      const slackBefore = (await findIntegrationByKey(ctx.db, t.tenant.environmentId, 'slack'))!.webhookSecretEnc!
      const zendeskBefore = (await findConnectionRow(ctx.db, zendeskConnectionId))!.webhookSecretEnc!
      const report = await rotateKeys(ctx, { dataKeys: true })
      expect(report.newDataKeys).toBeGreaterThan(0)
      expect(report.reencrypted).toBeGreaterThanOrEqual(5)
      // The provider webhook secret moved to the new data key and still decrypts.
      const slackAfter = (await findIntegrationByKey(ctx.db, t.tenant.environmentId, 'slack'))!
      expect(slackAfter.webhookSecretEnc!.split(':')[1]).not.toBe(slackBefore.split(':')[1])
      expect(await webhookSecretOf(ctx, slackAfter)).toBe('slack-signing-secret-value')
      // The connection's provider webhook secret too (Zendesk).
      const zendeskAfter = (await findConnectionRow(ctx.db, zendeskConnectionId))!
      expect(zendeskAfter.webhookSecretEnc!.split(':')[1]).not.toBe(zendeskBefore.split(':')[1])
      expect(await connectionWebhookSecretOf(ctx, zendeskAfter)).toBe('zendesk-signing-secret-value')
      // The outgoing webhook endpoint's signing secret too.
      const ep = (await findEndpoint(ctx.db, t.tenant.environmentId, endpoint.id))!
      expect(await ctx.secrets.decrypt(t.tenant.environmentId, ep.secretEnc, endpointSecretContext(endpoint.id))).toBe(endpoint.secret)
      const after = await findConnectionRow(ctx.db, connectionId)
      const dekOf = (enc: string) => enc.split(':')[1]
      expect(dekOf(after!.credentialsEnc)).not.toBe(dekOf(before!.credentialsEnc))
      const active = (await listDataKeys(ctx.db)).filter((k) => k.environmentId === t.tenant.environmentId && k.active)
      expect(active).toHaveLength(1)
      expect(dekOf(after!.credentialsEnc)).toBe(active[0]!.id)
      expect(dekOf(ep.secretEnc)).toBe(active[0]!.id)
      ctx.secrets.clearCache()
      await ctx.credentials.changed(connectionId)
      expect((await ctx.credentials.get(t.tenant.environmentId, connectionId)).credentials).toMatchObject({ values: { apiKey: 'sk_test_secretvalue' } })
    } finally {
      await closeContext(ctx)
    }
  })

  it("never overwrites a connection webhook secret the vendor changed during the rotation (compare-and-swap)", async () => {
    const ctx = await contextWith({ PATCHBAY_ENCRYPTION_KEY: newKey })
    try {
      const read = (await findConnectionRow(ctx.db, zendeskConnectionId))!.webhookSecretEnc!
      // The vendor sets a new secret after the rotation read the old ciphertext…
      await setConnectionWebhookSecret(ctx, t.tenant.environmentId, zendeskConnectionId, 'zendesk-new-secret')
      // …so the rotation's write of the old one is refused, and the new secret stays.
      expect(await rewriteConnectionWebhookSecret(ctx.db, zendeskConnectionId, read, read)).toBe(false)
      expect(await connectionWebhookSecretOf(ctx, (await findConnectionRow(ctx.db, zendeskConnectionId))!)).toBe('zendesk-new-secret')
      const current = (await findConnectionRow(ctx.db, zendeskConnectionId))!.webhookSecretEnc!
      expect(await rewriteConnectionWebhookSecret(ctx.db, zendeskConnectionId, current, current)).toBe(true)
    } finally {
      await closeContext(ctx)
    }
  })
})
