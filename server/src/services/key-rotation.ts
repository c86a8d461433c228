/**
 * Key rotation without downtime (see docs/decisions/0002-key-management.md):
 *
 * 1. Deploy with the new master key in `PATCHBAY_ENCRYPTION_KEY` and the old one in
 *    `PATCHBAY_PREVIOUS_ENCRYPTION_KEYS`: every process reads both.
 * 2. Run `patchbay rotate-keys`: re-wraps every data key under the new master key and, with
 *    `--data-keys`, also creates a new data key per environment and re-encrypts every secret.
 * 3. Remove the old master key from the configuration.
 */
import type { AppContext } from '../context'
import { activateDataKey, listDataKeys, updateWrappedKey } from '../db/queries/keys'
import { listConnectionSecrets, listConnectionWebhookSecrets, rewriteConnectionSecret, rewriteConnectionWebhookSecret } from '../db/queries/connections'
import { connectionWebhookSecretContext } from './connection-webhook-secret'
import { listIntegrationSecrets, listIntegrationWebhookSecrets, setIntegrationSecret, setIntegrationWebhookSecret } from '../db/queries/integrations'
import { webhookSecretContext } from './integrations'
import { listOAuthStateSecrets, setOAuthStateSecret } from '../db/queries/sessions'
import { listEndpointSecrets, rewriteEndpointSecret } from '../db/queries/webhooks'
import { endpointSecretContext } from './webhook-endpoints'

export interface RotationReport {
  /** Data keys re-wrapped under the current master key. */
  rewrapped: number
  /** New data keys created (one per environment with `dataKeys`). */
  newDataKeys: number
  /** Ciphertexts re-encrypted under the new data keys. */
  reencrypted: number
  /** Secrets changed during the run (connection credentials, integration and connection webhook secrets), left for the next run. */
  skipped: number
}

/**
 * Re-wraps all data keys under the current master key; with `dataKeys`, also rotates each
 * environment's data key and re-encrypts every secret under it. Safe to run while servers run:
 * writes use compare-and-swap on the credentials version, so a concurrent refresh wins.
 */
export async function rotateKeys(ctx: AppContext, opts: { dataKeys?: boolean } = {}): Promise<RotationReport> {
  const report: RotationReport = { rewrapped: 0, newDataKeys: 0, reencrypted: 0, skipped: 0 }
  const current = ctx.secrets.keyring.current
  const keys = await listDataKeys(ctx.db)
  for (const k of keys) {
    if (k.masterKeyId === current.id) continue
    const raw = ctx.secrets.unwrap(k.id, k.wrappedKey)
    await updateWrappedKey(ctx.db, k.id, ctx.secrets.wrap(k.id, raw), current.id)
    report.rewrapped++
  }
  if (!opts.dataKeys) return report

  const environments = [...new Set(keys.map((k) => k.environmentId))]
  for (const env of environments) {
    const id = await ctx.secrets.createDataKey(env, false)
    await activateDataKey(ctx.db, env, id)
    report.newDataKeys++
  }
  ctx.secrets.clearCache()

  for (const c of await listConnectionSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(c.environmentId, c.credentialsEnc, `${c.id}:credentials`)
    const enc = await ctx.secrets.encrypt(c.environmentId, plain, `${c.id}:credentials`)
    if (await rewriteConnectionSecret(ctx.db, c.id, c.credentialsVersion, enc)) report.reencrypted++
    else report.skipped++
  }
  for (const i of await listIntegrationSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(i.environmentId, i.clientSecretEnc, `${i.id}:client_secret`)
    await setIntegrationSecret(ctx.db, i.id, await ctx.secrets.encrypt(i.environmentId, plain, `${i.id}:client_secret`))
    report.reencrypted++
  }
  for (const i of await listIntegrationWebhookSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(i.environmentId, i.webhookSecretEnc, webhookSecretContext(i.id))
    if (await setIntegrationWebhookSecret(ctx.db, i.id, i.webhookSecretEnc, await ctx.secrets.encrypt(i.environmentId, plain, webhookSecretContext(i.id)))) report.reencrypted++
    else report.skipped++
  }
  for (const c of await listConnectionWebhookSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(c.environmentId, c.webhookSecretEnc, connectionWebhookSecretContext(c.id))
    if (await rewriteConnectionWebhookSecret(ctx.db, c.id, c.webhookSecretEnc, await ctx.secrets.encrypt(c.environmentId, plain, connectionWebhookSecretContext(c.id)))) report.reencrypted++
    else report.skipped++
  }
  for (const e of await listEndpointSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(e.environmentId, e.secretEnc, endpointSecretContext(e.id))
    if (await rewriteEndpointSecret(ctx.db, e.id, e.secretEnc, await ctx.secrets.encrypt(e.environmentId, plain, endpointSecretContext(e.id)))) report.reencrypted++
    else report.skipped++
  }
  for (const s of await listOAuthStateSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(s.environmentId, s.codeVerifierEnc, `${s.id}:code_verifier`)
    await setOAuthStateSecret(ctx.db, s.id, await ctx.secrets.encrypt(s.environmentId, plain, `${s.id}:code_verifier`))
    report.reencrypted++
  }
  return report
}
