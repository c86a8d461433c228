/**
 * BambooHR (REST API v1 under the company's domain, API key over HTTP Basic).
 *
 * Sources, each cited again where it is used:
 * - Getting started (API key, Basic auth, company domain): https://documentation.bamboohr.com/docs/getting-started
 * - Technical overview (request URL, throttling, status codes): https://documentation.bamboohr.com/docs/api-details
 * - Employee directory: https://documentation.bamboohr.com/reference/get-employees-directory
 * - Get employee (id 0 is the key's own employee): https://documentation.bamboohr.com/reference/get-employee
 * - Add employee: https://documentation.bamboohr.com/reference/add-employee
 * - Time off requests: https://documentation.bamboohr.com/reference/time-off-get-time-off-requests
 * - Field list: https://documentation.bamboohr.com/reference/metadata-get-a-list-of-fields
 * - Changed employees: https://documentation.bamboohr.com/reference/get-employees-changed (not used, see `syncs`)
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A green rounded square with three white figures (not BambooHR's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="BambooHR">' +
  '<rect width="64" height="64" rx="14" fill="#4d7c0f"/>' +
  '<circle cx="32" cy="22" r="7" fill="#fff"/><circle cx="16" cy="28" r="5" fill="#fff"/><circle cx="48" cy="28" r="5" fill="#fff"/>' +
  '<path d="M20 48a12 12 0 0 1 24 0zM7 48a9 9 0 0 1 15-7M57 48a9 9 0 0 0-15-7" fill="#fff"/>' +
  '</svg>'

const date = z.iso.date()
const text = z.string().trim().min(1).max(255)

export default defineConnector({
  id: 'bamboohr',
  name: 'BambooHR',
  description: 'Bring in your company’s employee directory and time off requests from BambooHR, and add new employees to BambooHR from this app.',
  categories: ['hr'],
  logo,
  docsUrl: 'https://documentation.bamboohr.com/docs',
  // Getting started: "The subdomain used to access your account (If you access BambooHR at
  // https://mycompany.bamboohr.com, then the subdomain is "mycompany")". One DNS label.
  connectionConfig: {
    companyDomain: {
      label: 'BambooHR company domain',
      description: 'The first part of your BambooHR address: mycompany in mycompany.bamboohr.com.',
      placeholder: 'mycompany',
      required: true,
    },
  },
  auth: {
    type: 'basic',
    // Getting started, Authentication: "the API key is sent over HTTP Basic Authentication. Use the
    // secret key as the username and any random string for the password"; the key is "a 160-bit
    // number expressed in hexadecimal form" (40 hex digits). The form asks for the key only.
    // (BambooHR also offers OAuth for multi-customer apps, which hands out an API key the same way.)
    fields: {
      username: {
        label: 'API key',
        type: 'password',
        description: 'In BambooHR: your name (top right) → API Keys → Add New Key. The key acts with your permissions.',
        pattern: '[0-9a-fA-F]{40}',
        helpUrl: 'https://documentation.bamboohr.com/docs/getting-started',
        required: true,
      },
    },
    fixed: { password: 'x' },
    // The list of fields: any valid key may read it, whatever the directory settings. (Technical
    // overview: "Using an unknown API key repeatedly will result in the API disabling access to a
    // given company for a period of time", with 403 answers.)
    verify: { method: 'GET', path: '/meta/fields/', okStatus: [200] },
  },
  http: {
    // Getting started / technical overview: requests go to
    // https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1/ (newer pages also name
    // https://{companyDomain}.bamboohr.com/api/; the gateway URL is the one the reference uses).
    baseUrl: 'https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1',
    // The API answers XML unless asked for JSON (each reference page's `Accept: application/json`).
    headers: { Accept: 'application/json' },
    // Technical overview: "API requests can be throttled if BambooHR deems them to be too frequent.
    // Implementations should always be ready for a 503 Service Unavailable response." No published
    // figure and no rate-limit headers: no budget; 503 (and 429) are retried (the default `retry.on`),
    // honouring a Retry-After when one is sent.
    //
    // No list here is paged: the directory and the time off requests come whole in one answer. The
    // schema needs a pagination, so this is a cursor pagination whose cursor (`nextPage`) BambooHR
    // never sends: the walk ends after the first page (see the report).
    pagination: { type: 'cursor', cursorParam: 'page', cursorPath: 'nextPage', itemsPath: 'employees' },
  },
  // Get employee: "employee ID 0 … the employee associated with the API key", with the fields named.
  accountInfo: { path: '/employees/0?fields=firstName,lastName,workEmail' },
  objects: {
    employee: {
      label: 'Employees',
      description: 'The employee directory: current employees the API key may see (the company chooses the directory’s fields).',
      // Get Employee Directory: { fields: [...], employees: [{ id, displayName, firstName, … }] }. A
      // company that turned the directory off answers 403 (the sync then fails, see the report).
      path: '/employees/directory',
      docs: 'https://documentation.bamboohr.com/reference/get-employees-directory',
      fields: {
        id: { type: 'string', key: true, description: 'The employee id, digits as text' },
        displayName: { type: 'string' },
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        preferredName: { type: 'string' },
        jobTitle: { type: 'string' },
        workEmail: { type: 'string' },
        workPhone: { type: 'string' },
        workPhoneExtension: { type: 'string' },
        mobilePhone: { type: 'string' },
        department: { type: 'string' },
        division: { type: 'string' },
        location: { type: 'string' },
        supervisor: { type: 'string', description: 'The manager’s name' },
        pronouns: { type: 'string' },
        linkedIn: { type: 'string' },
        photoUrl: { type: 'string' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'displayName' },
        email: { source: 'field', path: 'workEmail' },
        avatarUrl: { source: 'field', path: 'photoUrl' },
      },
    },
    timeOffRequest: {
      label: 'Time off requests',
      description: 'Time off requests of every status (requested, approved, denied, canceled) from 2000 to 2099.',
      // Get Time Off Requests: `start` and `end` (YYYY-MM-DD) are required and select the requests
      // that overlap them; `status` is optional ("approved, denied, superceded, requested, canceled").
      // A sync cannot move a date window, so the window is fixed and wide (see the report). The
      // answer is a JSON array.
      path: '/time_off/requests/',
      params: { start: '2000-01-01', end: '2099-12-31' },
      docs: 'https://documentation.bamboohr.com/reference/time-off-get-time-off-requests',
      pagination: { type: 'cursor', cursorParam: 'page', cursorPath: 'nextPage', itemsPath: '' },
      fields: {
        id: { type: 'string', key: true },
        employeeId: { type: 'string' },
        employeeName: { type: 'string', from: 'name' },
        status: { type: 'enum', from: 'status.status', enumValues: ['requested', 'approved', 'denied', 'canceled', 'superceded'] },
        statusChangedAt: { type: 'date', from: 'status.lastChanged' },
        start: { type: 'date' },
        end: { type: 'date' },
        createdAt: { type: 'date', from: 'created' },
        typeId: { type: 'string', from: 'type.id' },
        typeName: { type: 'string', from: 'type.name', description: 'e.g. Vacation, Sick' },
        amount: { type: 'string', from: 'amount.amount', description: 'Decimal text, in `unit`' },
        unit: { type: 'enum', from: 'amount.unit', enumValues: ['hours', 'days'] },
        dates: { type: 'object', description: 'Amount per day: { "2019-09-16": "8", … }' },
        employeeNote: { type: 'string', from: 'notes.employee' },
        managerNote: { type: 'string', from: 'notes.manager' },
      },
    },
  },
  // Full syncs. The directory has no changed-since filter. GET /employees/changed?since=… answers
  // `{ latest, employees: { "<id>": { id, action, lastChanged } } }`: ids keyed in an object, not a
  // list, and without the employees' fields, which an incremental sync can read neither way (see the
  // report). A complete full run marks employees who left the directory (terminated) as deleted.
  syncs: {
    employees: { object: 'employee', mode: 'full', defaultFrequency: '6h' },
    timeOffRequests: { object: 'timeOffRequest', mode: 'full', defaultFrequency: '6h' },
  },
  actions: {
    add_employee: {
      description: 'Add an employee.',
      // Add Employee: POST /employees/ with the employee's fields; "firstName" and "lastName" are
      // required; answers 201 with a Location header naming the new employee. The fields below are
      // standard ones of the field list; dates are YYYY-MM-DD.
      method: 'POST',
      path: '/employees/',
      input: z.strictObject({
        firstName: text,
        lastName: text,
        middleName: text.optional(),
        preferredName: text.optional(),
        employeeNumber: text.optional(),
        workEmail: z.email().optional(),
        homeEmail: z.email().optional(),
        workPhone: text.optional(),
        mobilePhone: text.optional(),
        hireDate: date.optional(),
        dateOfBirth: date.optional(),
        department: text.optional(),
        division: text.optional(),
        location: text.optional(),
        jobTitle: text.optional(),
        address1: text.optional(),
        address2: text.optional(),
        city: text.optional(),
        state: text.optional(),
        zipcode: text.optional(),
        country: text.optional(),
      }),
    },
  },
  hooks: {
    // GET /employees/0?fields=firstName,lastName,workEmail → { id, firstName, lastName, workEmail }.
    accountLabel: (body) => {
      const name = [firstString(body, ['firstName']), firstString(body, ['lastName'])].filter(Boolean).join(' ')
      return firstString(body, ['workEmail']) ?? (name === '' ? undefined : name)
    },
  },
})
