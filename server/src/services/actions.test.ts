import { describe, expect, it } from 'vitest'
import github from '../../../connectors/github/index'
import stripe from '../../../connectors/stripe/index'
import twilio from '../../../connectors/twilio/index'
import { PatchbayError } from '../lib/errors'
import { actionRequest } from './actions'

describe('actionRequest', () => {
  it('fills path placeholders from the input (one encoded segment each) and leaves them out of the body', () => {
    const r = actionRequest(github.actions.create_issue!, { owner: 'octo cat', repo: 'hello/world', title: 'Bug' })
    expect(r.path).toBe('/repos/octo%20cat/hello%2Fworld/issues')
    expect(r.json).toEqual({ title: 'Bug' })
  })

  it('refuses an input that does not fill the path', () => {
    const err = (() => {
      try {
        actionRequest(github.actions.create_issue!, { owner: 'octo', title: 'Bug' })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(PatchbayError)
    expect((err as PatchbayError).extra.errors).toEqual([{ path: 'input.repo', message: 'repo is required: it is part of the path' }])
  })

  // https://docs.stripe.com/api: "accepts form-encoded request bodies"; nested keys in brackets (https://docs.stripe.com/metadata).
  it('sends Stripe form bodies with nested keys in brackets', () => {
    const r = actionRequest(stripe.actions.create_customer!, { email: 'jenny.rosen@example.com', name: 'Jenny Rosen', metadata: { plan: 'pro', seats: '5' } })
    expect(r.form.toString()).toBe('email=jenny.rosen%40example.com&name=Jenny+Rosen&metadata%5Bplan%5D=pro&metadata%5Bseats%5D=5')
  })

  // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource (MediaUrl repeated).
  it('repeats list keys for Twilio', () => {
    const r = actionRequest(twilio.actions.send_sms!, { To: '+15558675310', From: '+15017122661', MediaUrl: ['https://c1.staticflickr.com/a.jpg', 'https://c1.staticflickr.com/b.jpg'] })
    expect([...r.form.entries()]).toEqual([
      ['To', '+15558675310'],
      ['From', '+15017122661'],
      ['MediaUrl', 'https://c1.staticflickr.com/a.jpg'],
      ['MediaUrl', 'https://c1.staticflickr.com/b.jpg'],
    ])
  })
})
