import pino, { type Logger } from 'pino'

/**
 * Paths pino replaces with `[redacted]` wherever they appear in a log object, so secrets
 * cannot reach the logs even when an object is logged whole.
 */
export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie',
  'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
  'clientSecret', '*.clientSecret', 'client_secret', '*.client_secret',
  'apiKey', '*.apiKey', 'password', '*.password', 'webhookSecret', '*.webhookSecret', 'credentials', '*.credentials', 'token', '*.token',
  'secret', '*.secret', 'webhookSecretEnc', '*.webhookSecretEnc', 'verification_token', '*.verification_token', 'verificationToken', '*.verificationToken',
  'tokenSecret', '*.tokenSecret', 'oauth_token_secret', '*.oauth_token_secret',
  'privateKey', '*.privateKey', 'private_key', '*.private_key', 'serviceAccountKey', '*.serviceAccountKey', 'assertion', '*.assertion',
]

/** The server's logger (JSON lines on stdout). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'patchbay' } })
}
export type { Logger }
