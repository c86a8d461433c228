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
import type { Db } from '../db/client'
import { activateDataKey, listDataKeys, updateWrappedKey } from '../db/queries/keys'
import { listConnectionSecrets, listConnectionWebhookSecrets, rewriteConnectionSecret, rewriteConnectionWebhookSecret } from '../db/queries/connections'
import { connectionWebhookSecretContext } from './connection-webhook-secret'
import { listIntegrationSecrets, listIntegrationWebhookSecrets, setIntegrationSecret, setIntegrationWebhookSecret } from '../db/queries/integrations'
import { webhookSecretContext } from './integrations'
import { listOAuthStateSecrets, oauthStateSecretContext, setOAuthStateSecret } from '../db/queries/sessions'
import { listEndpointSecrets, rewriteEndpointSecret } from '../db/queries/webhooks'
import { endpointSecretContext } from './webhook-endpoints'

export interface RotationReport {
  /** Data keys re-wrapped under the current master key. */
  rewrapped: number
  /** New data keys created (one per environment with `dataKeys`). */
  newDataKeys: number
  /** Ciphertexts re-encrypted under the new data keys. */
  reencrypted: number
  /** Secrets changed during the run (connection credentials; integration, connection and endpoint webhook secrets), left for the next run. */
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
  /** Re-encrypts each row's ciphertext, written only if it is still the one read (compare-and-swap: a concurrent write wins, counted as skipped). */
  const reencrypt = async <R extends { id: string; environmentId: string }>(rows: R[], enc: (r: R) => string, context: (id: string) => string, rewrite: (db: Db, id: string, expected: string, enc: string) => Promise<boolean>) => {
    for (const r of rows) {
      const plain = await ctx.secrets.decrypt(r.environmentId, enc(r), context(r.id))
      if (await rewrite(ctx.db, r.id, enc(r), await ctx.secrets.encrypt(r.environmentId, plain, context(r.id)))) report.reencrypted++
      else report.skipped++
    }
  }
  await reencrypt(await listIntegrationWebhookSecrets(ctx.db), (r) => r.webhookSecretEnc, webhookSecretContext, setIntegrationWebhookSecret)
  await reencrypt(await listConnectionWebhookSecrets(ctx.db), (r) => r.webhookSecretEnc, connectionWebhookSecretContext, rewriteConnectionWebhookSecret)
  await reencrypt(await listEndpointSecrets(ctx.db), (r) => r.secretEnc, endpointSecretContext, rewriteEndpointSecret)
  for (const s of await listOAuthStateSecrets(ctx.db)) {
    const plain = await ctx.secrets.decrypt(s.environmentId, s.codeVerifierEnc, oauthStateSecretContext(s.id))
    await setOAuthStateSecret(ctx.db, s.id, await ctx.secrets.encrypt(s.environmentId, plain, oauthStateSecretContext(s.id)))
    report.reencrypted++
  }
  return report
}
