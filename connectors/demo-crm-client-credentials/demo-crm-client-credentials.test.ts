import { describe, expect, it } from 'vitest'
import demoCrm from '../demo-crm/index'
import { connectorSchema } from '../schema'
import connector from './index'

// Facts: the demo provider's source, server/src/demo/provider/oidc.ts (`features.clientCredentials`,
// token endpoint `/oauth/token`, API scopes) and api.ts (`GET /me`). The live grant is exercised in
// test/form-connections.test.ts against the running provider.
describe('demo-crm-client-credentials connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(connector)).toEqual(connector)
  })

  it('asks the end user for a client id and secret and uses the client credentials grant', () => {
    expect(connector.auth.type).toBe('oauth2_client_credentials')
    if (connector.auth.type !== 'oauth2_client_credentials') return
    expect(Object.keys(connector.auth.fields)).toEqual(['clientId', 'clientSecret'])
    expect(connector.auth.fields.clientSecret!.type).toBe('password')
    expect(connector.auth.tokenUrl).toMatch(/\/oauth\/token$/)
    expect(connector.auth.scopes).toEqual(['contacts.read', 'companies.read'])
    expect(connector.auth.inject.headers).toEqual({ Authorization: 'Bearer {accessToken}' })
  })

  it('shares the API and objects with demo-crm', () => {
    expect(connector.http).toEqual(demoCrm.http)
    expect(connector.objects).toEqual(demoCrm.objects)
  })
})
