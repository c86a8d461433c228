import { escapeHtml as h } from './http-util.ts'

/** Plain-words descriptions of the scopes shown on the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Confirm who you are',
  offline_access: 'Stay connected when you are not using the app',
  profile: 'See your name',
  email: 'See your email address',
  'contacts.read': 'Read your contacts',
  'contacts.write': 'Create, change and delete your contacts',
  'companies.read': 'Read your companies',
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f1f4f9;
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433}
main{width:100%;max-width:380px;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(20,30,60,.12);padding:32px}
.brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:18px;margin-bottom:20px}
.logo{width:32px;height:32px;border-radius:8px;background:linear-gradient(135deg,#4f46e5,#06b6d4);color:#fff;
  display:flex;align-items:center;justify-content:center;font-size:15px}
h1{font-size:20px;margin:0 0 6px}
p{margin:0 0 16px;color:#4b5567}
label{display:block;font-size:13px;font-weight:600;margin:12px 0 4px}
input{width:100%;padding:10px 12px;border:1px solid #cfd6e3;border-radius:8px;font:inherit}
input:focus{outline:2px solid #4f46e5;border-color:transparent}
button{width:100%;padding:11px;border:0;border-radius:8px;font:inherit;font-weight:600;cursor:pointer;margin-top:16px}
.primary{background:#4f46e5;color:#fff}.primary:hover{background:#4338ca}
.secondary{background:#eef1f6;color:#1d2433}.secondary:hover{background:#e2e7ef}
.error{background:#fdecec;color:#a61b1b;border-radius:8px;padding:10px 12px;margin-bottom:8px}
.hint{background:#eef6ff;color:#1e4e8c;border-radius:8px;padding:10px 12px;font-size:13px;margin-top:20px}
ul{padding:0;margin:0 0 8px;list-style:none}
li{padding:8px 0 8px 26px;border-bottom:1px solid #eef1f6;position:relative}
li:before{content:"✓";position:absolute;left:4px;color:#059669;font-weight:700}
code{background:#f1f4f9;border-radius:4px;padding:1px 5px}
.actions{display:flex;gap:10px}.actions form{flex:1}
`

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)} · Demo CRM</title><style>${CSS}</style></head>
<body><main><div class="brand"><span class="logo">D</span>Demo CRM</div>
${body}
</main></body></html>`
}

/** Login page: a form POSTing `username` and `password` to `/interaction/:uid/login` (button `#login`). */
export function loginPage(opts: { uid: string; clientName: string; error?: string; username?: string; hint: { username: string; password: string } }): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${h(opts.clientName)}</strong></p>
${opts.error ? `<div class="error" role="alert">${h(opts.error)}</div>` : ''}
<form method="post" action="/interaction/${h(opts.uid)}/login" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" value="${h(opts.username ?? '')}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button id="login" class="primary" type="submit">Sign in</button>
</form>
<div class="hint">Demo login: user <code>${h(opts.hint.username)}</code>, password <code>${h(opts.hint.password)}</code></div>`,
  )
}

/** Consent page listing the requested scopes, with `#allow` (→ `/confirm`) and `#deny` (→ `/abort`) forms. */
export function consentPage(opts: { uid: string; clientName: string; userName: string; scopes: string[] }): string {
  const items = opts.scopes.map((s) => `<li>${h(SCOPE_DESCRIPTIONS[s] ?? s)} <small>(<code>${h(s)}</code>)</small></li>`).join('\n')
  return layout(
    'Authorize',
    `<h1>Allow access?</h1>
<p><strong>${h(opts.clientName)}</strong> wants to access your Demo CRM account as <strong>${h(opts.userName)}</strong>. It will be able to:</p>
<ul>${items || '<li>Confirm who you are</li>'}</ul>
<div class="actions">
<form method="post" action="/interaction/${h(opts.uid)}/abort"><button id="deny" class="secondary" type="submit">Deny</button></form>
<form method="post" action="/interaction/${h(opts.uid)}/confirm"><button id="allow" class="primary" type="submit">Allow</button></form>
</div>`,
  )
}

/** Error page for failures the provider cannot redirect back to the client (RFC 6749 §4.1.2.1). */
export function errorPage(error: string, description?: string): string {
  return layout(
    'Error',
    `<h1>Something went wrong</h1>
<div class="error" role="alert"><strong>${h(error)}</strong>${description ? `<br>${h(description)}` : ''}</div>
<p>Close this window and try connecting again.</p>`,
  )
}
