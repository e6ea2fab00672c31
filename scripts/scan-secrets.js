#!/usr/bin/env node
// Scans everything the test suite wrote and printed (test-output/) for the secrets the mocks
// issued. Each list in test-output/secrets/ says where its secrets may not appear:
//   NAME.json                 nowhere (the AppSecrets, every login and phone code)
//   NAME.kept-by-server.json  nowhere but the server's store files, stores/ (session_keys,
//                             access_tokens: the server keeps them, in their own columns)
//   NAME.tokens.json          not in the server's logs (server/) or store files (stores/):
//                             the secret half of each session token, which the server keeps
//                             only as a hash (the phone keeps the token itself)
// Not in a phone's storage, the app's console, an error the app saw, the test log, the
// server's log or its database files.
// Usage: scan-secrets.js DIR
'use strict'
const fs = require('fs')
const path = require('path')

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? files(full) : [full]
  })
}

const dir = process.argv[2]
if (!dir || !fs.existsSync(dir)) {
  console.error('usage: scan-secrets.js DIR (a test output folder)')
  process.exit(2)
}
const all = files(dir)
const under = (file, folder) => path.relative(dir, file).split(path.sep)[0] === folder
const secretFiles = all.filter((f) => under(f, 'secrets'))
/** Each secret, and whether it may appear in `file`. */
const rules = new Map()
for (const f of secretFiles) {
  const allowed = f.endsWith('.kept-by-server.json') ? (file) => under(file, 'stores')
    : f.endsWith('.tokens.json') ? (file) => !under(file, 'server') && !under(file, 'stores')
      : () => false
  for (const secret of JSON.parse(fs.readFileSync(f, 'utf8'))) {
    if (!secret) continue
    // Listed twice: allowed only where both lists allow it.
    const before = rules.get(secret)
    rules.set(secret, before ? (file) => before(file) && allowed(file) : allowed)
  }
}
if (rules.size === 0) {
  console.error('no secrets recorded in ' + dir + ': nothing was scanned for')
  process.exit(1)
}
let bytes = 0
const leaks = []
const scanned = all.filter((f) => !secretFiles.includes(f))
for (const file of scanned) {
  const text = fs.readFileSync(file, 'latin1')
  bytes += text.length
  for (const [secret, allowed] of rules) {
    if (!allowed(file) && text.includes(secret)) leaks.push(path.relative(dir, file) + ': ' + secret.slice(0, 12) + '…')
  }
}
if (leaks.length) {
  console.error('secrets leaked into what the tests wrote or printed:\n  ' + leaks.join('\n  '))
  process.exit(1)
}
const stores = scanned.filter((f) => under(f, 'stores')).length
const server = scanned.filter((f) => under(f, 'server')).length
console.log(`  scanned ${scanned.length} files (${bytes} bytes; ${server} server logs, ${stores} store files) for ${rules.size} secrets (AppSecrets, codes, session_keys, access_tokens, token secrets): none found`)
