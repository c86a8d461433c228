import { describe, expect, it } from 'vitest'
import { defineConnector } from '../../../connectors/schema'
import { renderUrl, validateConnectionConfig } from './integrations'

// A Zendesk-like connector: the subdomain is templated into every URL.
const zendeskLike = defineConnector({
  id: 'subdomain-example',
  name: 'Example',
  description: 'x',
  categories: ['support'],
  logo: '<svg/>',
  docsUrl: 'https://example.com',
  auth: { type: 'oauth2', authorizationUrl: 'https://{subdomain}.example.com/oauth/authorizations/new', tokenUrl: 'https://{subdomain}.example.com/oauth/tokens' },
  connectionConfig: { subdomain: { label: 'Subdomain' }, region: { label: 'Region', required: false, pattern: '(eu|us)' }, instanceUrl: { label: 'Instance', source: 'token', pattern: 'https://[a-z0-9.-]+' } },
  http: { baseUrl: 'https://{subdomain}.example.com/api/v2', pagination: { type: 'link' } },
})

describe('connection config', () => {
  it('templates validated values into URLs', () => {
    const config = validateConnectionConfig(zendeskLike, { subdomain: 'acme-support' })
    expect(renderUrl(zendeskLike.http.baseUrl, config)).toBe('https://acme-support.example.com/api/v2')
  })
  it.each([
    [{ subdomain: 'evil.com/x' }, 'connectionConfig.subdomain'],
    [{ subdomain: 'a@b' }, 'connectionConfig.subdomain'],
    [{ subdomain: '-bad' }, 'connectionConfig.subdomain'],
    [{}, 'connectionConfig.subdomain'],
    [{ subdomain: 'ok', region: 'mars' }, 'connectionConfig.region'],
    [{ subdomain: 'ok', instanceUrl: 'https://x.example' }, 'connectionConfig.instanceUrl'],
    [{ subdomain: 'ok', extra: 'x' }, 'connectionConfig.extra'],
  ])('refuses %j', (input, path) => {
    try {
      validateConnectionConfig(zendeskLike, input as Record<string, string>)
      expect.unreachable()
    } catch (err) {
      expect((err as { code: string }).code).toBe('invalid_request')
      expect((err as { extra: { errors: { path: string }[] } }).extra.errors.map((e) => e.path)).toContain(path)
    }
  })
  it('encodes values and refuses missing ones when rendering', () => {
    expect(renderUrl('https://{a}.example.com', { a: 'x/y' })).toBe('https://x%2Fy.example.com')
    expect(() => renderUrl('https://{a}.example.com', {})).toThrow(/missing/)
  })
})

describe('connection config defaults', () => {
  it('fills a field the end user left out with its default, and still checks a given value', async () => {
    const { default: gitlab } = await import('../../../connectors/gitlab/index')
    expect(validateConnectionConfig(gitlab, {})).toEqual({ host: 'gitlab.com' })
    expect(validateConnectionConfig(gitlab, { host: 'gitlab.example.com' })).toEqual({ host: 'gitlab.example.com' })
    expect(() => validateConnectionConfig(gitlab, { host: '127.0.0.1' })).toThrow(/Invalid connection config/)
  })
})
