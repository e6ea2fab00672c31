// The built package on a phone's engine (run by tests/e2e/jsc.test.js under
// `jsc --useJIT=0`, as on an iPhone): cold launch, warm launch, a Chinese and emoji nickname
// round trip with no TextEncoder, 100 concurrent ensure() → one login, the core's memory (one page) over
// a thousand launches, and WXWebAssembly resolving to either shape. Prints one line per check and `N passed, M failed`.
/* global newPhone, loadModule, print, PACKAGE */

var results = { passed: 0, failed: 0 }

function check(name, ok, detail) {
  if (ok) results.passed++
  else results.failed++
  print((ok ? 'ok ' : 'FAILED ') + name + (detail ? ' (' + detail + ')' : ''))
}

function session(phone) {
  return loadModule(phone, PACKAGE + '/index.js').createSession({
    loginUrl: 'https://api.example.com/auth/login',
    api: phone.wx,
  })
}

async function main() {
  check('no TextEncoder or TextDecoder here', typeof TextEncoder === 'undefined' && typeof TextDecoder === 'undefined')

  var phone = newPhone(PACKAGE)
  var cold = await session(phone).launch()
  var s = phone.stats
  check('cold launch: 1 wx.login, 1 POST, 1 write', cold.source === 'login' && s.logins === 1 && s.posts === 1 && s.writes === 1,
    s.logins + ' login, ' + s.posts + ' POST, ' + s.writes + ' write, source ' + cold.source)

  var again = newPhone(PACKAGE, { storage: phone.storage })
  var warm = await session(again).launch()
  s = again.stats
  check('warm launch: 0 wx.login, 0 POST, 0 writes, 1 read', warm.source === 'cache' && warm.openid === cold.openid &&
    s.logins === 0 && s.posts === 0 && s.writes === 0 && s.reads === 1,
    s.logins + ' login, ' + s.posts + ' POST, ' + s.writes + ' write, ' + s.reads + ' read')

  var nick = '小明 😀 Ünïcødé'
  var named = await session(again).setUserInfo({ nickName: nick })
  var reopened = newPhone(PACKAGE, { storage: again.storage })
  var back = await session(reopened).launch()
  check('a Chinese and emoji nickname round trip', named.userInfo.nickName === nick && back.userInfo.nickName === nick &&
    JSON.parse(again.storage['mp-session:default']).userInfo.nickName === nick, back.userInfo && back.userInfo.nickName)

  var busy = newPhone(PACKAGE)
  var many = session(busy)
  var all = []
  for (var i = 0; i < 100; i++) all.push(many.ensure())
  var sessions = await Promise.all(all)
  check('100 concurrent ensure(): 1 wx.login, 1 POST', busy.stats.logins === 1 && busy.stats.posts === 1 &&
    sessions.every(function (x) { return x.openid === 'o-phone-user' }), busy.stats.logins + ' login, ' + busy.stats.posts + ' POST')

  // The core's memory: one page (64 KiB), and no growth over a thousand cached launches.
  var lib = loadModule(again, PACKAGE + '/index.js')
  var sizes = []
  for (var n = 0; n < 1000; n++) {
    var one = lib.createSession({ loginUrl: 'https://api.example.com/auth/login', api: again.wx })
    await one.launch()
    one.close()
    if (n === 0 || n === 999) sizes.push(again.stats.memory.buffer.byteLength)
  }
  check('1000 cached launches: the core\'s memory stays one page (64 KiB) and does not grow',
    sizes[1] <= 64 * 1024 && sizes[1] === sizes[0], sizes.join(' → ') + ' bytes')

  for (var shape of ['instance', 'object']) {
    var shaped = newPhone(PACKAGE, { resultShape: shape })
    var got = await session(shaped).launch()
    check('WXWebAssembly resolving to ' + (shape === 'object' ? '{ instance, module }' : 'an Instance'), got.openid === 'o-phone-user')
  }
}

main().then(function () {
  print(results.passed + ' passed, ' + results.failed + ' failed')
}, function (error) {
  print('FAILED with ' + error + '\n' + (error && error.stack))
  print(results.passed + ' passed, ' + (results.failed + 1) + ' failed')
})
