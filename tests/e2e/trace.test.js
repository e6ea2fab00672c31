'use strict'
// The flight recorder: with `trace: recorder()` (mp-session/trace), a session keeps its
// exchanges with the core (its creation, each input as it crossed, the output answered),
// redacted as it is made. A trace is taken through each fault of the matrix; none holds a
// secret the test knows (a login code, a token, an openid or unionid, a nickname, a request
// URL's query), and each replays against the Rust core with every exchange equal
// (mp-session-trace, natively; tests/traces.rs replays the same files natively and in wasm
// when MP_SESSION_TRACES names their folder, as scripts/test does).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
const { worldPerFile, settle, plain, OUTPUT } = require('./fixture')
const { installedPackage } = require('../support/tarball')
const { REPO } = require('../support/build-example')

// The recorder as an app gets it (Taro, uni-app; a native project copies the file).
const { recorder, lines } = require(path.join(installedPackage(), 'trace', 'index.js'))

const world = worldPerFile()
/** Where the traces of this run go (scripts/scan-secrets.js reads them with the rest). */
const TRACES = path.join(OUTPUT, 'traces')

/** Every secret this world has handed out so far, and the ones the test adds. */
function secrets(extra) {
  return [
    ...world.wechat.secrets(),
    ...world.backend.stats.tokens.keys(),
    'o-sim-user', 'u-sim-user',
    ...extra,
  ].filter((s) => typeof s === 'string' && s.length >= 4)
}

/** The trace as JSON, held to contain none of `known`. */
function clean(trace, known) {
  const text = JSON.stringify(trace)
  for (const secret of known) assert.ok(!text.includes(secret), 'the trace holds a secret: ' + secret.slice(0, 6) + '…')
  return text
}

/** Where the traces that must not replay go. */
const REFUSED = path.join(OUTPUT, 'traces-refused')

/** Writes `trace` as <dir>/<name>.json (TRACES unless it says); returns the file. */
function save(name, trace, dir = TRACES) {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name + '.json')
  // An exchange a line: a trace committed as a test reads, and diffs, by exchange.
  const { entries, ...head } = trace
  fs.writeFileSync(file, JSON.stringify(head).slice(0, -1) + ',"entries":[\n' + entries.map((e) => JSON.stringify(e)).join(',\n') + '\n]}\n')
  return file
}

/** mp-session-trace over `files` (the Rust command: a timeline, then the replay), bounded. */
function replayNatively(files) {
  const run = spawnSync('cargo', ['run', '--quiet', '--bin', 'mp-session-trace', '--', ...files], {
    cwd: REPO, encoding: 'utf8', timeout: 10 * 60 * 1000,
  })
  assert.equal(run.error, undefined, String(run.error))
  return { status: run.status, out: run.stdout, err: run.stderr }
}

test('a cold launch, traced: the creation and every exchange with the core, the version, the layout and the options, and no secret', async () => {
  const app = world.open()
  const session = world.session(app, { trace: recorder() })
  const s = await session.launch()
  const trace = plain(session.trace())

  assert.equal(trace.version, '0.2.0')
  assert.match(trace.layout, /^[0-9a-f]{16}$/)
  assert.deepEqual(trace.options, { loginUrl: world.backend.loginUrl })
  assert.equal(trace.dropped, 0)
  assert.equal(trace.entries[0].create.length, 4, 'the creation first, with its 4 random words')
  assert.ok(trace.entries.length >= 5, trace.entries.length + ' entries')
  assert.ok(trace.entries.every((e) => Array.isArray(e.slots) && typeof e.texts === 'string' && Array.isArray(e.out) && typeof e.outTexts === 'string'))
  const text = clean(trace, secrets([s.token]))
  save('cold-launch', trace)
  console.log('a traced cold launch: ' + trace.entries.length + ' exchanges, ' + text.length + ' bytes of JSON')
})

test('the fault matrix, traced and replayed: a 40029 then a fresh code, a network failure retried, a 401 and its re-login, a logout during a login, a clock moved back', async () => {
  const known = ['小明', 'SEKRET-QUERY']
  const files = []
  const take = (name, session) => {
    const trace = plain(session.trace())
    files.push([name, trace])
    return trace
  }

  world.wechat.failNext(40029)
  let app = world.open()
  let session = world.session(app, { trace: recorder() })
  known.push((await session.launch()).token)
  await session.setUserInfo({ nickName: '小明' })
  take('40029-then-a-fresh-code', session)

  world.backend.script({ destroy: true })
  app = world.open()
  session = world.session(app, { trace: recorder(), namespace: 'network' })
  known.push((await session.launch()).token)
  take('network-failure-retried', session)

  const storageFile = world.newStorage()
  await world.session(world.open({ storageFile }), {}).launch()
  app = world.open({ storageFile })
  session = world.session(app, { trace: recorder() })
  await session.launch()
  world.backend.revokeTokens()
  const answer = await session.request({ url: world.backend.base + '/api/me?key=SEKRET-QUERY' })
  assert.equal(answer.statusCode, 200)
  known.push((await session.ensure()).token)
  const rejected = take('401-and-its-re-login', session)
  // The request's URL crossed with its query blanked, its length kept.
  const request = rejected.entries.find((e) => e.texts.includes('/api/me?'))
  assert.match(request.texts, /\/api\/me\?x{16}$/)

  app = world.open()
  app.behaviour.login = 'silent'
  session = world.session(app, { trace: recorder(), timeoutMs: 200 })
  const launching = settle(session.launch())
  await new Promise((resolve) => setTimeout(resolve, 20))
  await session.logout()
  assert.equal((await launching).error.code, 'LOGGED_OUT')
  take('logout-during-a-login', session)

  const later = world.newStorage()
  await world.session(world.open({ storageFile: later }), {}).launch()
  app = world.open({ storageFile: later })
  app.clock.offsetMs = -3600 * 1000
  session = world.session(app, { trace: recorder() })
  known.push((await session.launch()).token)
  take('clock-moved-back', session)

  const saved = files.map(([name, trace]) => {
    assert.ok(trace.entries.length > 1)
    clean(trace, secrets(known))
    return save(name, trace)
  })
  const { status, out, err } = replayNatively(saved)
  assert.equal(status, 0, out + err)
  for (const file of saved) assert.ok(out.includes(file), file)
  assert.equal((out.match(/every one equal/g) || []).length, saved.length, out)
  // The timeline says what happened: the fresh code after 40029, the backoff, the re-login.
  assert.match(out, /postResult op \d+ status \d+ \{errcode 40029/)
  assert.match(out, /sendResult op \d+ status 401/)
  assert.doesNotMatch(out + err, /SEKRET-QUERY/)
})

test('two sessions of one app, each with its recorder: each keeps its own and replays; a closed one keeps nothing more', async () => {
  const app = world.open()
  const a = world.session(app, { trace: recorder(), namespace: 'first' })
  const b = world.session(app, { trace: recorder(), namespace: 'second' })
  await a.launch()
  await b.launch()
  await a.ensure()
  const first = plain(a.trace())
  const second = plain(b.trace())
  assert.equal(first.entries.filter((e) => e.create).length, 1)
  assert.equal(second.entries.filter((e) => e.create).length, 1)
  assert.equal(first.entries.length, second.entries.length + 1, 'the second ensure() is the first session\'s alone')
  a.close()
  await b.ensure()
  assert.equal(plain(a.trace()).entries.length, first.entries.length)
  assert.equal(plain(b.trace()).entries.length, second.entries.length + 1)
  const { status, out, err } = replayNatively([save('two-sessions-first', first), save('two-sessions-second', plain(b.trace()))])
  assert.equal(status, 0, out + err)
})

test("a request URL's user name, password, query and fragment are blanked to the same UTF-8 widths, and the trace still replays", async () => {
  const storageFile = world.newStorage()
  await world.session(world.open({ storageFile }), {}).launch()
  const app = world.open({ storageFile })
  const session = world.session(app, { trace: recorder(), namespace: 'urls' })
  const answered = await session.request({ url: world.backend.base + '/api/me?name=小明&key=SEKRET-QUERY#SEKRET-FRAGMENT' })
  assert.equal(answered.statusCode, 200)
  const refused = await settle(session.request({ url: 'https://someone:SEKRET-PASSWORD@api.example.com/x' }))
  assert.equal(refused.error.code, 'INVALID_ARGUMENT')
  assert.match(refused.error.message, /user name or password/)
  const trace = plain(session.trace())
  const urls = trace.entries.filter((e) => e.kind === 3).map((e) => e.texts)
  // Each character by one as wide in UTF-8: x for ASCII, 中 for 小 and 明; the `?` kept.
  assert.deepEqual(urls, [
    world.backend.base + '/api/me?xxxxx中中' + 'x'.repeat('&key=SEKRET-QUERY#SEKRET-FRAGMENT'.length),
    'https://' + 'x'.repeat('someone:SEKRET-PASSWORD'.length) + '@api.example.com/x',
  ])
  clean(trace, ['SEKRET', '小明', 'someone'])
  const { status, out, err } = replayNatively([save('blanked-urls', trace)])
  assert.equal(status, 0, out + err)
})

test('a live log that throws loses its lines, and the session goes on', async () => {
  const session = world.session(world.open(), { trace: recorder({ log: () => { throw new Error('the log is full') } }), namespace: 'thrown' })
  const s = await session.launch()
  assert.equal(s.source, 'login')
  assert.ok(plain(session.trace()).entries.length > 1)
})

test('the live log: a line for each input and each effect, as redacted as the trace', async () => {
  const logged = []
  const app = world.open()
  const session = world.session(app, { trace: recorder({ log: (line) => logged.push(line) }), namespace: 'live' })
  const s = await session.launch()
  assert.ok(logged.some((line) => /^mp-session \+\d+ ms ensure 1$/.test(line)), logged.join('\n'))
  assert.ok(logged.some((line) => /^mp-session {3}postCode op \d+/.test(line)), logged.join('\n'))
  assert.ok(logged.some((line) => /^mp-session {3}resolve of id \d+$/.test(line)), logged.join('\n'))
  const text = logged.join('\n')
  for (const secret of secrets([s.token])) assert.ok(!text.includes(secret), 'the log holds a secret: ' + secret.slice(0, 6) + '…')
  assert.throws(() => recorder({ log: 'yes' }), /takes true or a function/)
})

test('split for the real-time log, the lines read back as the trace, in any order', async () => {
  const app = world.open()
  const session = world.session(app, { trace: recorder(), namespace: 'split' })
  await session.launch()
  await session.setUserInfo({ nickName: '小明' })
  const trace = plain(session.trace())
  const parts = lines(trace, 1000)
  assert.ok(parts.length > 1, parts.length + ' parts')
  for (const line of parts) assert.ok(Buffer.byteLength(line) <= 1000, Buffer.byteLength(line) + ' bytes')
  for (const line of lines(trace)) assert.ok(Buffer.byteLength(line) <= 4000)
  assert.throws(() => lines(trace, 100), /200 bytes or more/)
  // As a log's export gives them: a time before each, the order mixed.
  const file = path.join(TRACES, 'from-the-realtime-log.txt')
  fs.mkdirSync(TRACES, { recursive: true })
  fs.writeFileSync(file, parts.map((p, i) => '2026-12-07 10:00:0' + (i % 10) + ' INFO ' + p).reverse().join('\n') + '\n')
  const { status, out, err } = replayNatively([file])
  assert.equal(status, 0, out + err)
  assert.match(out, /every one equal/)

  const broken = path.join(REFUSED, 'part-missing.txt')
  fs.mkdirSync(REFUSED, { recursive: true })
  fs.writeFileSync(broken, parts.slice(1).join('\n'))
  const missing = replayNatively([broken])
  assert.equal(missing.status, 1)
  assert.match(missing.err, /TRACE_UNREADABLE: part 1 of \d+ is missing/)
})

test('without trace nothing is kept; a recorder keeps its last N, and says a trace that lost its start cannot replay; a wrong trace is INVALID_CONFIG', async () => {
  const app = world.open()
  const off = world.session(app)
  await off.launch()
  assert.equal(off.trace(), null)

  const short = world.session(world.open(), { trace: recorder(3), namespace: 'short' })
  await short.launch()
  const trace = plain(short.trace())
  assert.equal(trace.entries.length, 3)
  assert.ok(trace.dropped > 0)
  assert.throws(() => recorder(0), /keeps 1 to 10000 exchanges/)
  const { status, out } = replayNatively([save('dropped', trace, REFUSED)])
  assert.equal(status, 1)
  assert.match(out, /TRACE_INCOMPLETE: the recorder was full and dropped the first \d+ exchanges/)

  const { error } = await settle(world.session(world.open(), { trace: true }).launch())
  assert.equal(error.code, 'INVALID_CONFIG')
  assert.match(error.message, /trace must be recorder\(\) of mp-session\/trace/)
})
