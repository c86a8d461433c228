import { describe, expect, it } from 'vitest'
import { describeScope } from './features/detail/scopes'
import { connectorSchema } from '../../connectors/schema'
import { defaultMessages, format, mergeMessages } from './messages'

describe('messages', () => {
  it('merges a deep-partial override over the defaults', () => {
    const m = mergeMessages(defaultMessages, { catalog: { title: 'Apps' }, scopes: { 'repo:status': 'See commit statuses' } })
    expect(m.catalog.title).toBe('Apps')
    expect(m.catalog.searchLabel).toBe('Search integrations')
    expect(m.scopes['repo:status']).toBe('See commit statuses')
    expect(m.scopes.read).toBe(defaultMessages.scopes.read)
    expect(defaultMessages.catalog.title).toBe('Integrations') // defaults untouched
  })

  it('names every category a connector may declare', () => {
    // The catalog's filter chips and cards show these; a missing one would fall back to the raw id.
    const declared = connectorSchema.shape.categories.element.options
    expect(declared.filter((c) => !defaultMessages.categories[c])).toEqual([])
    expect(declared.length).toBeGreaterThan(10)
  })

  it('fills placeholders and leaves unknown ones', () => {
    expect(format('Connect {name} as {who}', { name: 'GitHub' })).toBe('Connect GitHub as {who}')
  })
})

describe('describeScope', () => {
  const s = (scope: string) => describeScope(scope, defaultMessages.scopes)
  it('describes common scope shapes in plain words', () => {
    expect(s('crm.objects.contacts.read')).toBe('See your contacts')
    expect(s('contacts.write')).toBe('Create and change your contacts')
    expect(s('read:user')).toBe('See your profile')
    expect(s('public_repo')).toBe('Access your public repositories')
    expect(s('offline_access')).toBe('Stay connected when you are not using this app')
  })
  it('prefers an exact description from the messages', () => {
    expect(describeScope('public_repo', { ...defaultMessages.scopes, public_repo: 'Read and write public repositories' })).toBe('Read and write public repositories')
  })
})
