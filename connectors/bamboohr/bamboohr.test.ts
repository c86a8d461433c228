import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { mapDefault, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import { authenticationFor } from '../../server/src/services/credentials'
import { renderHeaders, renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import addEmployee from './fixtures/add-employee.json' with { type: 'json' }
import directory from './fixtures/directory.json' with { type: 'json' }
import employeeMe from './fixtures/employee-me.json' with { type: 'json' }
import timeOff from './fixtures/time-off-requests.json' with { type: 'json' }
import bamboohr from './index'

/** The base URL for the company domain `mycompany` (the getting-started page's example). */
const BASE = renderUrl(bamboohr.http.baseUrl, validateConnectionConfig(bamboohr, { companyDomain: 'mycompany' }))
const KEY = '0123456789abcdef0123456789abcdef01234567'

describe('bamboohr connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(bamboohr)).toEqual(bamboohr)
    expect(bamboohr.id).toBe('bamboohr')
  })

  describe('company domain and auth', () => {
    // https://documentation.bamboohr.com/docs/getting-started, https://documentation.bamboohr.com/docs/api-details
    it('puts the company domain into https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1 and asks for JSON', () => {
      expect(BASE).toBe('https://api.bamboohr.com/api/gateway.php/mycompany/v1')
      expect(() => validateConnectionConfig(bamboohr, { companyDomain: 'mycompany/../other' })).toThrow()
      expect(renderHeaders(bamboohr.http.headers, {})).toEqual({ accept: 'application/json' })
    })

    // Getting started: "Use the secret key as the username and any random string for the password".
    it('asks for the 40-hex-digit API key only and sends it as the Basic user name with a constant password', () => {
      if (bamboohr.auth.type !== 'basic') throw new Error('expected basic')
      expect(Object.keys(bamboohr.auth.fields)).toEqual(['username'])
      const pattern = new RegExp(`^(?:${bamboohr.auth.fields.username!.pattern})$`)
      expect(pattern.test(KEY)).toBe(true)
      expect(pattern.test('not-a-key')).toBe(false)
      expect(authenticationFor(bamboohr, { type: 'basic', values: { username: KEY } }).headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`)
      expect(bamboohr.auth.verify).toEqual({ method: 'GET', path: '/meta/fields/', okStatus: [200] })
    })

    // Technical overview: throttled requests answer 503 Service Unavailable.
    it('retries 503 (throttling) and declares no made-up budget', () => {
      expect(bamboohr.http.retry.on).toEqual(expect.arrayContaining([429, 503]))
      expect(bamboohr.http.rateLimit).toBeUndefined()
    })
  })

  describe('employees (directory)', () => {
    // https://documentation.bamboohr.com/reference/get-employees-directory
    it('reads the whole directory in one request and stops', () => {
      const { urls, items } = walk(bamboohr, 'employee', () => directory, { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual(['https://api.bamboohr.com/api/gateway.php/mycompany/v1/employees/directory'])
      expect(items.map((e) => (e as { id: string }).id)).toEqual(['123', '124'])
      expect(firstPage(BASE, syncPlan(bamboohr, 'employees'), null, 'full').href).toBe(urls[0]!.href)
      expect(bamboohr.syncs.employees).toMatchObject({ object: 'employee', mode: 'full' })
    })

    it('maps the documented employee, and to a user', () => {
      expect(toRecord(bamboohr, 'employee', directory.body.employees[0])).toMatchObject({ id: '123', displayName: 'John Doe', jobTitle: 'Customer Service Representative', workEmail: 'jdoe@example.com', workPhone: '555-555-5555', department: 'Customer Service', supervisor: 'Jane Smith' })
      expect(bamboohr.objects.employee!.commonModel).toBe('user')
      const { check, result } = mapDefault(bamboohr, 'employee', directory.body.employees[1])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { name: 'Jane Smith', email: 'jsmith@example.com', username: null, avatarUrl: 'https://resources.bamboohr.com/images/photo_person_160x160.png', createdAt: null },
        errors: [],
      })
    })
  })

  // https://documentation.bamboohr.com/reference/time-off-get-time-off-requests
  describe('time off requests', () => {
    it('sends the required start and end dates, reads the bare array, and stops after it', () => {
      const { urls, items } = walk(bamboohr, 'timeOffRequest', () => timeOff, { baseUrl: BASE })
      expect(urls).toHaveLength(1)
      expect(urls[0]!.pathname).toBe('/api/gateway.php/mycompany/v1/time_off/requests/')
      expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ start: '2000-01-01', end: '2099-12-31' })
      expect(items).toHaveLength(1)
    })

    it('maps the documented request', () => {
      expect(toRecord(bamboohr, 'timeOffRequest', timeOff.body[0])).toEqual({
        id: '1',
        employeeId: '123',
        employeeName: 'John Doe',
        status: 'approved',
        statusChangedAt: '2019-09-12',
        start: '2019-09-16',
        end: '2019-09-18',
        createdAt: '2019-09-12',
        typeId: '78',
        typeName: 'Vacation',
        amount: '24',
        unit: 'hours',
        dates: { '2019-09-16': '8', '2019-09-17': '8', '2019-09-18': '8' },
        employeeNote: 'Family trip',
        managerNote: 'Have fun!',
      })
    })
  })

  // https://documentation.bamboohr.com/reference/get-employee (id 0: the key's own employee)
  it('labels the account with the key owner’s work email, else their name', () => {
    expect(bamboohr.accountInfo).toEqual({ path: '/employees/0?fields=firstName,lastName,workEmail' })
    expect(bamboohr.hooks.accountLabel?.(employeeMe.body)).toBe('jsmith@example.com')
    expect(bamboohr.hooks.accountLabel?.({ id: '1', firstName: 'Jane', lastName: 'Smith', workEmail: null })).toBe('Jane Smith')
    expect(bamboohr.hooks.accountLabel?.({})).toBeUndefined()
  })

  // https://documentation.bamboohr.com/reference/add-employee
  describe('add_employee', () => {
    const action = bamboohr.actions.add_employee!
    it('posts the employee’s fields as JSON to /employees/', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/employees/', body: 'json' })
      expect(actionRequest(action, action.input.parse(addEmployee.request))).toMatchObject({ path: '/employees/', json: addEmployee.request })
    })
    it('needs a first and a last name, and dates as YYYY-MM-DD', () => {
      expect(action.input.safeParse({ firstName: 'Ada' }).success).toBe(false)
      expect(action.input.safeParse({ firstName: ' ', lastName: 'Lovelace' }).success).toBe(false)
      expect(action.input.safeParse({ firstName: 'Ada', lastName: 'Lovelace', hireDate: '05/01/2026' }).success).toBe(false)
      expect(action.input.safeParse({ firstName: 'Ada', lastName: 'Lovelace', workEmail: 'nope' }).success).toBe(false)
      expect(action.input.safeParse({ firstName: 'Ada', lastName: 'Lovelace', salary: 1 }).success).toBe(false)
    })
  })
})
