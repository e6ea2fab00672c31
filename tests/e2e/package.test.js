'use strict'
// The built package as WeChat receives it: the manifest, "build npm", the .wasm the phone
// loads, the JS the oldest engines parse, and the type declarations.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const os = require('os')
const path = require('path')
const crypto = require('crypto')
const { execFileSync } = require('child_process')
const acorn = require('acorn')

const { buildExample, REPO } = require('../support/build-example')
const { packed, installedPackage } = require('../support/tarball')

const PKG = path.join(REPO, 'pkg')
const SHIPPED = path.join(PKG, 'miniprogram')
const SHIPPED_WASM = path.join(SHIPPED, 'mp_session.wasm.br')
/** The module the phone runs: the shipped file, decompressed (WXWebAssembly does the same). */
const WASM = path.join(os.tmpdir(), 'mp-session-shipped-' + process.pid + '.wasm')
fs.writeFileSync(WASM, require('zlib').brotliDecompressSync(fs.readFileSync(SHIPPED_WASM)))
test.after(() => fs.rmSync(WASM, { force: true }))
const BIN = path.join(REPO, 'node_modules', '.bin')

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** Whether wasm-opt accepts the module with every post-MVP feature disabled. */
function validatesAsMvp(file) {
  try {
    execFileSync(path.join(BIN, 'wasm-opt'), [file, '--mvp-features', '-o', os.devNull], { stdio: 'pipe' })
    return true
  } catch (e) {
    return false
  }
}

test('package.json names the miniprogram folder, which holds index.js, and the crate version', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'))
  const crateVersion = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8'))[1]
  assert.equal(manifest.name, 'mp-session')
  assert.equal(manifest.version, crateVersion)
  assert.equal(manifest.miniprogram, 'miniprogram')
  assert.equal(manifest.main, 'miniprogram/index.js')
  assert.equal(manifest.types, 'index.d.ts')
  assert.ok(fs.existsSync(path.join(PKG, manifest.types)))
  assert.deepEqual(fs.readdirSync(SHIPPED).sort(), ['index.js', 'mp_session.wasm.br'])
})

/** What the npm tarball holds: what an app, a bundler or an editor needs, the docs, the licences. */
const TARBALL_FILES = [
  'CHANGELOG.md', 'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'README.zh-CN.md',
  'index.d.ts', 'package.json',
  'miniprogram/index.js', 'miniprogram/mp_session.wasm.br',
  'plain/index.js', 'fallback/index.js', 'trace/index.js', 'trace/index.d.ts',
  'plugins/targets.js', 'plugins/taro.js', 'plugins/vite.js', 'taro.js', 'vite.js',
  'web/index.cjs', 'web/index.d.ts', 'web/index.mjs', 'web/mp_session_web.wasm',
]

test('the npm tarball holds what an app needs and the licences: no sources, maps or tests', (t) => {
  const pack = packed()
  t.diagnostic(pack.filename + ': ' + pack.size + ' bytes packed, ' + pack.unpackedSize + ' unpacked, ' + pack.entryCount + ' files')
  assert.deepEqual(pack.files.map((f) => f.path).sort(), TARBALL_FILES.slice().sort())
  const manifest = JSON.parse(fs.readFileSync(path.join(installedPackage(), 'package.json'), 'utf8'))
  assert.equal(manifest.license, 'MIT OR Apache-2.0')
  for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.equal(fs.readFileSync(path.join(installedPackage(), licence), 'utf8'), fs.readFileSync(path.join(REPO, licence), 'utf8'))
  }
})

test('the package installed from the tarball is the one built: the same files, byte for byte', () => {
  for (const file of TARBALL_FILES) {
    assert.equal(sha256(path.join(installedPackage(), file)), sha256(path.join(PKG, file)), file)
  }
})

test('the exports map resolves the entries and the shipped wasm, for bundlers and pnpm', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-resolve-'))
  try {
    fs.cpSync(installedPackage(), path.join(dir, 'node_modules', 'mp-session'), { recursive: true })
    const from = { paths: [dir] }
    const at = (request) => path.relative(path.join(dir, 'node_modules', 'mp-session'), require.resolve(request, from))
    assert.equal(at('mp-session'), path.join('miniprogram', 'index.js'))
    assert.equal(at('mp-session/plain'), path.join('plain', 'index.js'))
    assert.equal(at('mp-session/fallback'), path.join('fallback', 'index.js'))
    assert.equal(at('mp-session/fallback/index.js'), path.join('fallback', 'index.js'))
    assert.equal(at('mp-session/trace'), path.join('trace', 'index.js'))
    assert.equal(at('mp-session/miniprogram/mp_session.wasm.br'), path.join('miniprogram', 'mp_session.wasm.br'))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

// The plain entry: the shim and the core as JavaScript, made by wasm2js from the shipped
// .wasm. Its size is held here, today's with a little room; the benchmark reports the target.
// It grows with the core, about 2.2 bytes for each byte of raw .wasm: 116 KiB before the
// `login` option, 136 KiB with it (138,777 measured when it landed), 141 KiB with cookie
// sessions (143,916), 145 KiB with upload, the avatar rule and pre-fetch (147,742), 147 KiB
// with a backend's 429 and its Retry-After honoured (149,793: the .wasm +728 bytes raw).
const PLAIN_BUDGET = 147 * 1024

test('the plain entry is the same core made by wasm2js, within its budget', () => {
  const file = path.join(PKG, 'plain', 'index.js')
  const size = fs.statSync(file).size
  const wasm = fs.statSync(WASM).size
  console.log('plain/index.js: ' + size + ' bytes, ' + (size / wasm).toFixed(2) + '× the raw .wasm (' + wasm + ')')
  assert.ok(size <= PLAIN_BUDGET, 'plain/index.js is ' + size + ' bytes, over the budget of ' + PLAIN_BUDGET)
  const text = fs.readFileSync(file, 'utf8')
  // The core's exports and its memory as wasm2js writes them, and the data the .wasm holds.
  for (const name of ['mps_slots', 'mps_texts', 'mps_create', 'mps_input', 'mps_close']) {
    assert.match(text, new RegExp('[{,]"?' + name + '"?:'), 'the core exports ' + name)
  }
  assert.match(text, /memory:Object\.create\(/, 'wasm2js memory object')
  assert.match(text, /throw new Error\("abort"\)/, "wasm2js's trap")
  acorn.parse(text, { ecmaVersion: 2017, sourceType: 'script' })
})

// What the package may ship: the ledger of tests/support/size-ledger.js.
const { SHIPPED_BUDGET } = require('../support/size-ledger')
const WASM_BROTLI_BUDGET = 26 * 1024
const INDEX_JS_BUDGET = 20 * 1024

test('what ships stays within the size budget', () => {
  const files = fs.readdirSync(SHIPPED).map((f) => [f, fs.statSync(path.join(SHIPPED, f)).size])
  const shipped = files.reduce((sum, [, size]) => sum + size, 0)
  const wasmBrotli = fs.statSync(SHIPPED_WASM).size
  const indexJs = fs.statSync(path.join(SHIPPED, 'index.js')).size
  console.log('shipped: ' + files.map(([f, n]) => f + ' ' + n).join(', ') + ' = ' + shipped + ' bytes (budget ' + SHIPPED_BUDGET + ')')
  assert.ok(shipped <= SHIPPED_BUDGET, 'shipped ' + shipped + ' bytes, over the budget of ' + SHIPPED_BUDGET)
  assert.ok(wasmBrotli <= WASM_BROTLI_BUDGET, '.wasm.br ' + wasmBrotli + ' bytes, over the budget of ' + WASM_BROTLI_BUDGET)
  assert.ok(indexJs <= INDEX_JS_BUDGET, 'index.js ' + indexJs + ' bytes, over the budget of ' + INDEX_JS_BUDGET)
})

// The JavaScript a phone parses, compiles and runs from `require` to the first cached launch
// (bench/launch-js.js: the bytes of index.js whose innermost function ran). It was 12,010
// before the boundary was generated from Rust, 8,019 with the generated readers, terser and
// the load started at require, and 7,548 once values were described whole (the core finds
// its fields by name), measured as an app makes its session (no `api`: the shim finds the
// platform's API); it may not grow back. 7,677 with cookie sessions, the fallback, uploads
// and pre-fetch; 7,461 once the platform's globals were named without a `typeof` each.
const LAUNCH_JS_BUDGET = 7.5 * 1024

test('the JavaScript that runs from require to the first cached launch stays within its budget', async () => {
  const { launchJs } = require('../../bench/launch-js')
  const ran = await launchJs(path.join(SHIPPED, 'index.js'), SHIPPED_WASM)
  console.log('JS that runs: ' + ran.bytes + ' bytes in ' + ran.functions + ' functions (budget ' + LAUNCH_JS_BUDGET + ')')
  assert.ok(ran.bytes <= LAUNCH_JS_BUDGET, ran.bytes + ' bytes of JS run on the way to a cached launch, over the budget of ' + LAUNCH_JS_BUDGET)
})

test("WeChat's build npm (miniprogram-ci) copies the folder byte for byte, .wasm included", async () => {
  const example = await buildExample({ loginUrl: 'https://api.example.com/auth/login' })
  try {
    assert.equal(example.packResult.miniProgramPackNum, 1)
    assert.deepEqual(example.packResult.warnList, [])
    for (const file of fs.readdirSync(SHIPPED)) {
      assert.equal(sha256(path.join(example.npmDir, file)), sha256(path.join(SHIPPED, file)), file)
    }
  } finally {
    fs.rmSync(example.dir, { recursive: true, force: true })
  }
})

test('the shipped .wasm exports its five functions and memory: no Global, which iOS refuses', () => {
  const exported = WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(WASM)))
  assert.deepEqual(exported.map((e) => e.name + ':' + e.kind).sort(),
    ['memory:memory', 'mps_close:function', 'mps_create:function', 'mps_input:function', 'mps_slots:function', 'mps_texts:function'])

  // The check can fail: the linker's own output does export globals, which the build removes.
  const raw = path.join(REPO, 'target', 'bindgen', 'mp_session_bg.wasm')
  const rawKinds = WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(raw))).map((e) => e.kind)
  assert.ok(rawKinds.includes('global'), 'linker output without globals: the strip step may be obsolete')
})

test('the mini-program .wasm imports nothing: none of the web build, no call out of the core', () => {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(WASM)))
  assert.deepEqual(imports, [])
  // The check can fail: the web build does import the browser's storage and location.
  const web = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(path.join(PKG, 'web', 'mp_session_web.wasm'))))
  assert.ok(web.some((i) => /localStorage/.test(i.name)) && web.some((i) => /location|history/.test(i.name)))
})

test('mp-session/web loads as an ES module and as CommonJS, with its types', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'))
  const web = manifest.exports['./web']
  for (const file of [web.types, web.import, web.require]) assert.ok(fs.existsSync(path.join(PKG, file)), file)
  assert.equal(typeof require(path.join(PKG, web.require)).createSession, 'function')
  assert.equal(typeof (await import(path.join(PKG, web.import))).createSession, 'function')
  assert.doesNotThrow(() => acorn.parse(fs.readFileSync(path.join(PKG, web.require), 'utf8'), { ecmaVersion: 2017, sourceType: 'script' }))
})

test('the shipped .wasm validates with every post-MVP feature disabled', () => {
  assert.ok(validatesAsMvp(WASM))

  // The validator does reject post-MVP code: a function using sign-extension (i32.extend8_s).
  const signExt = Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type: (i32) -> i32
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, 0x07, 0x01, 0x05, 0x00, 0x20, 0x00, 0xc0, 0x0b, // body: local.get 0, i32.extend8_s, end
  ])
  const file = path.join(os.tmpdir(), 'mp-session-sign-ext.wasm')
  fs.writeFileSync(file, signExt)
  try {
    assert.ok(new WebAssembly.Module(signExt), 'the control module is valid for V8')
    assert.equal(validatesAsMvp(file), false)
  } finally {
    fs.rmSync(file, { force: true })
  }
})

test('index.js is ES2017 CommonJS: no ?., ??, optional catch binding, import or export', () => {
  const source = fs.readFileSync(path.join(SHIPPED, 'index.js'), 'utf8')
  assert.doesNotThrow(() => acorn.parse(source, { ecmaVersion: 2017, sourceType: 'script' }))
  for (const newer of ['a?.b', 'a ?? b', 'try {} catch {}', 'export const a = 1']) {
    assert.throws(() => acorn.parse(newer, { ecmaVersion: 2017, sourceType: 'script' }), newer)
  }
})

test('index.js names no module a packer would try to resolve', () => {
  const source = fs.readFileSync(path.join(SHIPPED, 'index.js'), 'utf8')
  assert.deepEqual(source.match(/require\(\s*["'][^"']*["']\s*\)/g), null)
  assert.ok(!/\beval\(|new Function\(/.test(source), 'WeChat forbids eval and new Function')
})

test('the type declarations compile against a typical app', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-types-'))
  fs.cpSync(PKG, path.join(dir, 'node_modules', 'mp-session'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'app.ts'), `
    import { createSession, MpSessionError, Session } from 'mp-session'
    import { createSession as createWebSession } from 'mp-session/web'
    import { recorder, lines } from 'mp-session/trace'
    const session = createSession({ loginUrl: 'https://api.example.com/login', failureToast: '登录失败' })
    session.launch().then((s: Session) => s.openid.toUpperCase(), (e: MpSessionError) => e.code === 'NETWORK')
    const current: Session | null = session.current()
    const stop: () => void = session.onChange((s) => s && s.userInfo && s.userInfo.nickName)
    session.setUserInfo({ nickName: 'Ann' }).then((s) => s.source === 'login')
    // @ts-expect-error failureToast is false or a text, never true
    createSession({ loginUrl: 'https://a.example.com', failureToast: true })
    createSession({ cloudFunction: 'login', platform: 'wx' }).ensure().then((s) => s.openid)
    createSession({ loginUrl: 'https://a.example.com', platform: 'tt' })
    const described = createSession({ loginUrl: 'https://a.example.com', login: { method: 'GET', answer: { userId: 'data.id' } } })
    described.launch().then((s) => [s.userId, s.openid === null])
    // @ts-expect-error a backend described by login may give no openid
    described.ensure().then((s) => s.openid.toUpperCase())
    // @ts-expect-error login describes a loginUrl endpoint, not a cloud function
    createSession({ cloudFunction: 'login', login: { answer: { userId: 'id' } } })
    createSession({ loginUrl: 'https://a.example.com', login: { body: 'form', answer: { token: { cookie: 'JSESSIONID' }, userId: 'id' } } })
    createSession({ loginUrl: 'https://a.example.com', login: { answer: { token: { header: 'X-Auth-Token' }, userId: 'id' } } })
    // @ts-expect-error a token is in the body (a path), a header or a cookie
    createSession({ loginUrl: 'https://a.example.com', login: { answer: { token: { query: 'token' } } } })
    const traced = createSession({ loginUrl: 'https://a.example.com', trace: recorder(50) })
    const trace = traced.trace()
    if (trace) trace.entries.forEach((e) => (e.create ? e.create.length : e.kind ?? -1) + e.t + e.out.length)
    const logged = createSession({ loginUrl: 'https://a.example.com', trace: recorder({ limit: 50, log: (line: string) => console.log(line) }) })
    const split: string[] = lines(logged.trace()!, 4000)
    // @ts-expect-error log is true or a function
    recorder({ log: 'yes' })
    // @ts-expect-error trace is a recorder of mp-session/trace
    createSession({ loginUrl: 'https://a.example.com', trace: true })
    // @ts-expect-error the methods are POST and GET
    createSession({ loginUrl: 'https://a.example.com', login: { method: 'PUT' } })
    // @ts-expect-error loginUrl or cloudFunction, not both
    createSession({ loginUrl: 'https://a.example.com', cloudFunction: 'login' })
    // @ts-expect-error one of them is required
    createSession({ namespace: 'shop' })
    // @ts-expect-error the platforms are wx, tt, my, swan, qq and ks
    createSession({ loginUrl: 'https://a.example.com', platform: 'douyin' })
    const page = createWebSession({ loginUrl: 'https://api.example.com/login', appid: 'wx123', scope: 'snsapi_userinfo' })
    page.launch().then((s) => s.unionid)
    // @ts-expect-error the web session has no wx api
    createWebSession({ loginUrl: 'https://a.example.com', appid: 'wx1', api: {} })
    export { current, stop }
  `)
  try {
    execFileSync(path.join(BIN, 'tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2017', '--lib', 'es2017,dom', '--types', '', 'app.ts'], { cwd: dir, stdio: 'pipe' })
  } catch (e) {
    assert.fail(String(e.stdout) + String(e.stderr))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
