#!/usr/bin/env node
// Scans everything the test suite wrote and printed (test-output/) for the secrets the mock
// WeChat issued: the AppSecret, every login code and every session_key. None may appear:
// not in a phone's storage, the app's console, an error the app saw, or the test log.
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
const secretFiles = all.filter((f) => f.includes(path.sep + 'secrets' + path.sep))
const secrets = new Set(secretFiles.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8'))))
if (secrets.size === 0) {
  console.error('no secrets recorded in ' + dir + ': nothing was scanned for')
  process.exit(1)
}
let bytes = 0
const leaks = []
const scanned = all.filter((f) => !secretFiles.includes(f))
for (const file of scanned) {
  const text = fs.readFileSync(file, 'utf8')
  bytes += text.length
  for (const secret of secrets) if (text.includes(secret)) leaks.push(path.relative(dir, file) + ': ' + secret.slice(0, 12) + '…')
}
if (leaks.length) {
  console.error('secrets leaked into what the tests wrote or printed:\n  ' + leaks.join('\n  '))
  process.exit(1)
}
console.log(`  scanned ${scanned.length} files (${bytes} bytes) for ${secrets.size} secrets (AppSecret, codes, session_keys): none found`)
