'use strict'
// The server's API description (server/openapi.json) exercised by a property-based API tester
// nobody here wrote: schemathesis (PyPI, pinned by scripts/setup --schemathesis), against the
// real mp-session-server over SQLite in front of the mock WeChat, with every check on: no 5xx,
// every answer's status and body as the description says, the operations that need a session
// refusing a request without one. Each case that needs a session gets one of its own
// (tests/support/schemathesis_hooks.py); tests/support/schemathesis.toml names the only answers
// the checks are told to take, with their reason. Its record of every request and answer goes
// to the test output, which the leak scan reads, and is scanned here for WeChat's secrets.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawn } = require('child_process')

const { startWechatServer } = require('../support/wechat-server')
const { startLoginServer } = require('../support/login-server')
const { REPO } = require('../support/build-example')

const SETUP = fs.readFileSync(path.join(REPO, 'scripts', 'setup'), 'utf8')
const VERSION = /^SCHEMATHESIS_VERSION=(\S+)$/m.exec(SETUP)[1]
const ST = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mp-session', 'schemathesis-' + VERSION, 'bin', 'st')
const OUTPUT = process.env.MP_SESSION_TEST_OUTPUT || path.join(REPO, 'test-output')
/** The most a run may take. */
const RUN_TIMEOUT_MS = 5 * 60 * 1000

/** `st` with `args` and `env`, in `cwd`, bounded: its exit status and what it printed. */
function schemathesis(args, env, cwd) {
  return new Promise((resolve, reject) => {
    // In `cwd`: schemathesis keeps a cache (.schemathesis/) where it runs.
    const child = spawn(ST, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, out })
    })
  })
}

test('schemathesis finds no 5xx, no answer the description does not allow, and no secret in any answer', async (t) => {
  assert.ok(fs.existsSync(ST), ST + ' is not there: scripts/setup --schemathesis')
  const wechat = await startWechatServer()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-schemathesis-'))
  const server = await startLoginServer({ wechat, store: 'sqlite://' + path.join(dir, 'sessions.db') })
  t.after(async () => {
    await server.stop()
    await wechat.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  // Codes for the sessions the cases need, one a case at most.
  const codes = path.join(dir, 'codes')
  fs.writeFileSync(codes, Array.from({ length: 3000 }, () => wechat.issueCode({ openid: 'o-schemathesis' })).join('\n'))
  const base = server.loginUrl.replace(/\/auth\/login$/, '')
  const report = path.join(OUTPUT, 'schemathesis')
  fs.rmSync(report, { recursive: true, force: true })

  const { status, out } = await schemathesis([
    '--config-file', path.join(REPO, 'tests', 'support', 'schemathesis.toml'),
    'run', base + '/openapi.json', '--url', base,
    '--checks', 'all', '--max-examples', '100', '--seed', '20261207', '--no-color',
    '--report', 'vcr', '--report-dir', report,
  ], {
    SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
    PYTHONPATH: path.join(REPO, 'tests', 'support'),
    MP_SESSION_ST_CODES: codes,
    MP_SESSION_ST_BASE: base,
  }, dir)
  const summary = out.split('\n').filter((line) => /generated|passed|failed|Operations|Tested/.test(line)).join('\n')
  console.log(summary)
  assert.equal(status, 0, out.slice(-6000))
  // Every operation it loaded was tested.
  const loaded = /Operations:\s+(\d+) selected \/ (\d+) total/.exec(out)
  const tested = /Tested: (\d+)/.exec(out)
  assert.ok(loaded && tested, out.slice(-3000))
  assert.equal(loaded[1], loaded[2])
  assert.equal(tested[1], loaded[2], 'every operation tested')
  assert.match(out, /\d+ generated, \d+ passed/)

  // Every request and answer it recorded: none holds a secret of WeChat's or a code it issued.
  const cassettes = fs.readdirSync(report).map((file) => fs.readFileSync(path.join(report, file), 'utf8')).join('\n')
  assert.ok(cassettes.includes('/auth/login'), 'the record holds the run')
  for (const secret of wechat.secrets()) assert.ok(!cassettes.includes(secret), 'a secret in an answer: ' + String(secret).slice(0, 6) + '…')
})
