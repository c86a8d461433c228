import { describe, expect, it } from 'vitest'
import { anchored, firstString, labelWithDetail } from './helpers'

describe('connector helpers', () => {
  it('anchored matches the whole value only, alternatives included', () => {
    expect(anchored('[0-9]{4}').test('2024')).toBe(true)
    expect(anchored('[0-9]{4}').test('20245')).toBe(false)
    expect(anchored('a|b').test('ab')).toBe(false)
  })

  it('firstString takes the first non-empty string along the paths, array indexes included', () => {
    expect(firstString({ mail: null, userPrincipalName: '', displayName: 'Ada' }, ['mail', 'userPrincipalName', 'displayName'])).toBe('Ada')
    expect(firstString({ records: [{ Name: 'Acme' }] }, ['records.0.Name'])).toBe('Acme')
    expect(firstString({ id: 42 }, ['id'])).toBeUndefined()
    expect(firstString(null, ['a.b'])).toBeUndefined()
  })

  it('labelWithDetail joins a name and a detail, or gives whichever is there', () => {
    expect(labelWithDetail('Ada Lovelace', 'ada@example.com')).toBe('Ada Lovelace (ada@example.com)')
    expect(labelWithDetail('Ada Lovelace', undefined)).toBe('Ada Lovelace')
    expect(labelWithDetail(undefined, 'ada@example.com')).toBe('ada@example.com')
    expect(labelWithDetail(undefined, undefined)).toBeUndefined()
  })
})
