// The benchmark's measurements, the same in every engine (run by bench/run.js in Node and in
// `jsc --useJIT=0`): mp-session (the WebAssembly entry, and the plain entry made by wasm2js,
// what QQ, Baidu, Alipay and Kuaishou run) and the plain-JS baseline, interleaved, on
// bench/engine/phone.js.
// MODE 'load': one fresh load, `require` → ready (run in a fresh process each time).
// MODE 'first': what a user waits for at a cold start of the app with a session stored, in a
// fresh process with Promise and async functions already used (as they are in a running
// mini-program by App.onLaunch): `require` → ready, → the first cached launch, and that
// launch alone.
// MODE 'launches': cached launches, cold launches (mp-session also with a flight recorder,
// `trace: recorder()` of mp-session/trace, as `traced`), 1000 concurrent ensure(), the calls
// across the boundary per launch, and the core's memory. Prints `RESULT <json>`.
/* global newPhone, loadModule, print, preciseTime, PACKAGE, BASELINE, MODE, IMPL, CACHED, COLD */

var FILES = { ours: PACKAGE + '/index.js', traced: PACKAGE + '/index.js', plain: PACKAGE + '/plain.js', baseline: BASELINE }
var KEY = 'mp-session:default'

function options(phone) {
  return { loginUrl: 'https://api.example.com/auth/login', api: phone.wx }
}

function median(samples) {
  var sorted = samples.slice().sort(function (a, b) { return a - b })
  return sorted[Math.floor(sorted.length / 2)]
}

async function firstLaunch() {
  await Promise.resolve()
  await (async function () {})()
  await new Promise(function (resolve) { setTimeout(resolve, 0) })
  var now = Date.now()
  var stored = {}
  stored[KEY] = JSON.stringify({ v: 1, openid: 'o-phone-user', unionid: null, token: 'tok', expiresAt: now + 3600000, obtainedAt: now - 60000, userInfo: null })
  var phone = newPhone(PACKAGE, { storage: stored })
  var t0 = preciseTime()
  var session = loadModule(phone, FILES[IMPL]).createSession(options(phone))
  await session.ready()
  var t1 = preciseTime()
  var got = await session.launch()
  var t2 = preciseTime()
  if (got.openid !== 'o-phone-user' || phone.stats.logins) throw new Error(IMPL + ': not a cached launch')
  return { load: (t1 - t0) * 1000, loadLaunch: (t2 - t0) * 1000, first: (t2 - t1) * 1000 }
}

async function freshLoad() {
  var phone = newPhone(PACKAGE)
  var t0 = preciseTime()
  var session = loadModule(phone, FILES[IMPL]).createSession(options(phone))
  await session.ready()
  return { ms: (preciseTime() - t0) * 1000 }
}

async function launches() {
  var names = ['ours', 'traced', 'plain', 'baseline']
  var phones = {}
  var libs = {}
  // The baseline first: loading a module makes its phone's WXWebAssembly the global one,
  // which mp-session's core loads through.
  ;['baseline', 'plain', 'traced', 'ours'].forEach(function (name) {
    phones[name] = newPhone(PACKAGE)
    libs[name] = loadModule(phones[name], FILES[name])
  })
  var recorder = loadModule(phones.traced, PACKAGE + '/trace.js').recorder
  // The app's options; `traced` gives a new recorder to each session, as an app would.
  function optionsOf(name, phone) {
    var given = options(phone)
    if (name === 'traced') given.trace = recorder()
    return given
  }
  async function launchOnce(name, cold) {
    var phone = phones[name]
    var session = libs[name].createSession(optionsOf(name, phone))
    await session.ready()
    if (cold) delete phone.storage[KEY]
    var logins = phone.stats.logins
    var t0 = preciseTime()
    var got = await session.launch()
    var ms = (preciseTime() - t0) * 1000
    session.close()
    if (got.openid !== 'o-phone-user' || (phone.stats.logins > logins) !== cold) throw new Error(name + ': a launch did other work')
    return ms
  }
  var times = {}
  names.forEach(function (name) { times[name] = { cached: [], cold: [] } })
  var memory = {}
  for (var n of names) await launchOnce(n, true)
  memory.afterLoad = phones.ours.stats.memory.buffer.byteLength
  for (var i = 0; i < CACHED; i++) {
    for (var name of names) times[name].cached.push(await launchOnce(name, false))
    if (i === 999) memory.after1000 = phones.ours.stats.memory.buffer.byteLength
  }
  memory.afterAll = phones.ours.stats.memory.buffer.byteLength
  for (var j = 0; j < COLD; j++) {
    for (var name2 of names) times[name2].cold.push(await launchOnce(name2, true))
  }

  var concurrency = {}
  for (var name3 of ['ours', 'plain', 'baseline']) {
    var phone = newPhone(PACKAGE)
    var session = loadModule(phone, FILES[name3]).createSession(options(phone))
    await session.ready()
    var all = []
    var t0 = preciseTime()
    for (var k = 0; k < 1000; k++) all.push(session.ensure())
    await Promise.all(all)
    concurrency[name3] = { ms: (preciseTime() - t0) * 1000, logins: phone.stats.logins, posts: phone.stats.posts }
  }

  // The calls across the boundary: a phone that counts them, a session ready, one launch.
  var counting = {}
  for (var cold of [false, true]) {
    var counted = newPhone(PACKAGE, { count: true, storage: cold ? {} : phones.ours.storage })
    var s = loadModule(counted, FILES.ours).createSession(options(counted))
    await s.ready()
    var before = { in: counted.stats.callsIn, out: counted.stats.callsOut }
    await s.launch()
    counting[cold ? 'cold' : 'cached'] = { in: counted.stats.callsIn - before.in, out: counted.stats.callsOut - before.out }
  }

  var result = { crossings: counting, memory: memory, launches: CACHED, concurrency: concurrency }
  names.forEach(function (name4) {
    result[name4] = { cached: median(times[name4].cached), cold: median(times[name4].cold) }
  })
  return result
}

;(MODE === 'load' ? freshLoad() : MODE === 'first' ? firstLaunch() : launches()).then(function (result) {
  print('RESULT ' + JSON.stringify(result))
}, function (error) {
  print('ERROR ' + error + '\n' + (error && error.stack))
})
