'use strict'
// The crates as `cargo publish` would upload them: `cargo package` of mp-session and
// mp-session-server, each .crate unpacked outside the workspace and built there on its own.
// The core passes the README's testing::Harness example; the server answers --help and logs a
// user in against the mock WeChat. The files in each crate are listed here on purpose.
// Their build directory is kept in ~/.cache/mp-session (like the frameworks' node_modules),
// so a second run only compiles what changed.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const { REPO } = require('../support/build-example')
const { startWechatServer } = require('../support/wechat-server')
const { startLoginServer } = require('../support/login-server')

const VERSION = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8'))[1]
const CACHE = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
const TARGET = path.join(CACHE, 'mp-session', 'packaged-target')
const BUILD_TIMEOUT_MS = 20 * 60 * 1000

/** The files every crate carries besides its sources, as cargo package writes them. */
const CARGO_FILES = ['.cargo_vcs_info.json', 'Cargo.lock', 'Cargo.toml', 'Cargo.toml.orig']
const CRATES = {
  'mp-session': {
    extra: ['CHANGELOG.md', 'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'README.zh-CN.md', 'src/testing/trace/sample.json'],
    sources: listed(path.join(REPO, 'src')),
  },
  'mp-session-server': {
    extra: ['CHANGELOG.md', 'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'examples/own_app.rs', 'openapi.json'],
    sources: listed(path.join(REPO, 'server', 'src')),
  },
}

/** Every .rs file under `dir`, as `src/...`. */
function listed(dir) {
  return fs.readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.rs'))
    .map((file) => 'src/' + file.split(path.sep).join('/'))
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', timeout: BUILD_TIMEOUT_MS, maxBuffer: 1 << 26, ...options })
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-crates-'))
test.after(() => fs.rmSync(work, { recursive: true, force: true }))

/** `cargo package` of both crates (the work tree as it is), each unpacked into `work`. */
const packaged = (() => {
  run('cargo', ['package', '--quiet', '-p', 'mp-session', '-p', 'mp-session-server', '--allow-dirty', '--no-verify'], { cwd: REPO })
  const crates = {}
  for (const name of Object.keys(CRATES)) {
    const file = path.join(REPO, 'target', 'package', name + '-' + VERSION + '.crate')
    run('tar', ['-xzf', file, '-C', work])
    crates[name] = { file, size: fs.statSync(file).size, dir: path.join(work, name + '-' + VERSION) }
  }
  return crates
})()

/** Every file in an unpacked crate, relative to it. */
function filesIn(dir) {
  return run('find', ['.', '-type', 'f'], { cwd: dir }).trim().split('\n').map((f) => f.slice(2)).sort()
}

for (const [name, { extra, sources }] of Object.entries(CRATES)) {
  test(name + '.crate holds its sources, the docs and the licences, and nothing else', (t) => {
    const { dir, size } = packaged[name]
    t.diagnostic(name + '-' + VERSION + '.crate: ' + size + ' bytes')
    assert.deepEqual(filesIn(dir), [...CARGO_FILES, ...extra, ...sources].sort())
    assert.match(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8'), /^license = "MIT OR Apache-2.0"$/m)
    for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) {
      assert.equal(fs.readFileSync(path.join(dir, licence), 'utf8'), fs.readFileSync(path.join(REPO, licence), 'utf8'))
    }
  })
}

/** The first Rust block of the README's section `heading`, as a user copies it. */
function readmeRust(heading) {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf(heading))
  const block = /```rust\n([\s\S]*?)```/.exec(section)
  assert.ok(block, "the README's Rust example under " + heading + ' was not found')
  return block[1].replace(/^ {2}/gm, '')
}

test("a crate depending on the packaged mp-session passes the README's Harness example, and replays a trace as its Traces recipe says", () => {
  const app = path.join(work, 'an-app')
  fs.mkdirSync(path.join(app, 'tests'), { recursive: true })
  fs.writeFileSync(path.join(app, 'Cargo.toml'), [
    '[package]', 'name = "an-app"', 'version = "0.0.0"', 'edition = "2021"', 'publish = false', '',
    '[dependencies]', 'mp-session = { path = ' + JSON.stringify(packaged['mp-session'].dir) + ' }', '',
    '[dev-dependencies]', 'wasm-bindgen-test = "=0.3.80"', '',
    '[workspace]', '',
  ].join('\n'))
  fs.writeFileSync(path.join(app, 'tests', 'login_flow.rs'), readmeRust('## Test your login flow in Rust'))
  // A trace from a phone (the simulator's 40029), in tests/traces/ as the recipe says.
  fs.writeFileSync(path.join(app, 'tests', 'from_a_phone.rs'), readmeRust('### Traces'))
  fs.mkdirSync(path.join(app, 'tests', 'traces'))
  fs.copyFileSync(path.join(REPO, 'tests', 'traces', '40029-then-a-fresh-code.json'), path.join(app, 'tests', 'traces', 'ann.json'))
  // The workspace's versions of the registry crates, as an app that pinned them would have.
  fs.copyFileSync(path.join(REPO, 'Cargo.lock'), path.join(app, 'Cargo.lock'))
  const out = run('cargo', ['test', '--quiet', '--target-dir', TARGET], { cwd: app })
  assert.equal((out.match(/test result: ok\. 1 passed/g) || []).length, 2, out)
})

test('the packaged mp-session-server builds on its own, answers --help and logs a user in', async () => {
  const { dir } = packaged['mp-session-server']
  // It depends on mp-session for the login contract (mp_session::protocol): the packaged
  // mp-session stands in for the published one (the lockfile's other versions are kept).
  const core = 'patch.crates-io.mp-session.path=' + JSON.stringify(packaged['mp-session'].dir)
  run('cargo', ['build', '--quiet', '--config', core, '--target-dir', TARGET], { cwd: dir })
  const binary = path.join(TARGET, 'debug', 'mp-session-server')
  const help = run(binary, ['--help'])
  for (const flag of ['--listen', '--store', '--appid', '--secret-file']) assert.ok(help.includes(flag), flag + ' in --help')

  const wechat = await startWechatServer()
  const server = await startLoginServer({ wechat, store: 'sqlite://' + path.join(work, 'sessions.db'), binary })
  try {
    const code = wechat.issueCode({ openid: 'o-packaged' })
    const res = await fetch(server.loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, platform: 'wx' }),
    })
    const body = await res.json()
    assert.equal(res.status, 200, JSON.stringify(body))
    assert.equal(body.openid, 'o-packaged')
    assert.equal(typeof body.token, 'string')
    assert.equal(wechat.stats.code2SessionCalls, 1)
  } finally {
    await server.stop()
    await wechat.close()
  }
})
