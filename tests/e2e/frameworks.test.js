'use strict'
// Taro and uni-app: examples/taro and examples/uni-app built by the frameworks' real CLIs
// (installed by `scripts/setup --frameworks`) with the one-line plugins, and each output run
// in the strict simulator: cold launch, warm launch, the page showing the openid. WeChat and
// Douyin builds carry the WebAssembly core; QQ builds use the plain entry, chosen by the plugin;
// WeChat builds also carry the core as JavaScript in a subpackage, and log in with it on a
// phone with no WXWebAssembly.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('fs')
const path = require('path')
const { worldPerFile } = require('./fixture')
const { buildFramework, watchFramework } = require('../support/build-framework')
const { createMiniProgram } = require('../support/wechat-sim')
const { installedPackage } = require('../support/tarball')

const world = worldPerFile()

const WASM = path.join('miniprogram_npm', 'mp-session', 'mp_session.wasm.br')
const SHIPPED = fs.readFileSync(path.join(installedPackage(), 'miniprogram', 'mp_session.wasm.br'))

/** Each build tested: the framework, its platform name, and the simulator's host for it. */
const BUILDS = [
  { framework: 'taro', platform: 'weapp', host: 'wx', core: 'wasm' },
  { framework: 'taro', platform: 'tt', host: 'tt', core: 'wasm' },
  { framework: 'taro', platform: 'qq', host: 'qq', core: 'plain' },
  { framework: 'uni-app', platform: 'mp-weixin', host: 'wx', core: 'wasm' },
  { framework: 'uni-app', platform: 'mp-toutiao', host: 'tt', core: 'wasm' },
  { framework: 'uni-app', platform: 'mp-qq', host: 'qq', core: 'plain' },
]

/** The core as JavaScript a WeChat build carries in its subpackage, as the package ships it. */
const FALLBACK = fs.readFileSync(path.join(installedPackage(), 'fallback', 'index.js'))

/** Launches the output on a phone and waits for the page to show the openid (or an error). */
async function launch(output, host, storageFile, phone = {}) {
  const app = createMiniProgram({ root: output, wechat: world.wechat, storageFile, host, ...phone })
  app.launch()
  const shown = () => JSON.stringify(app.page && app.page.data)
  const ERROR_CODE = /WASM_LOAD|WASM_TRAP|INVALID_CONFIG|NETWORK|TIMEOUT|LOGIN_FAILED|BACKEND|BAD_RESPONSE|STORAGE/
  await app.waitFor(() => shown().includes('o-sim-user') || ERROR_CODE.test(shown()), 10000, 'the page to show the session')
  app.close()
  return { app, shown: shown() }
}

for (const b of BUILDS) {
  const name = b.framework + ' ' + b.platform
  test(name + ': the real CLI builds it with the plugin, and the app logs in once, then not at all', async () => {
    const built = await buildFramework(b.framework, b.platform, { loginUrl: world.backend.loginUrl })
    try {
      console.log(name + ': built in ' + built.ms + ' ms')
      const wasm = path.join(built.output, WASM)
      if (b.core === 'wasm') {
        assert.ok(SHIPPED.equals(fs.readFileSync(wasm)), 'the core is in the output, byte for byte, where the loader opens it')
      } else {
        assert.equal(fs.existsSync(wasm), false, 'a platform with no WebAssembly carries no .wasm')
      }
      const fallback = path.join(built.output, 'mp-session-fallback', 'index.js')
      if (b.host === 'wx') {
        assert.ok(FALLBACK.equals(fs.readFileSync(fallback)), 'the core as JavaScript is in the subpackage')
        const appJson = JSON.parse(fs.readFileSync(path.join(built.output, 'app.json'), 'utf8'))
        assert.deepEqual(appJson.subPackages, [{ root: 'mp-session-fallback', pages: [] }], 'and app.json declares it')
      } else {
        assert.equal(fs.existsSync(fallback), false, 'only WeChat builds carry the fallback')
      }

      const storageFile = world.newStorage()
      const posts = world.backend.stats.posts
      const cold = await launch(built.output, b.host, storageFile)
      assert.match(cold.shown, /o-sim-user/, 'the page shows the openid')
      assert.equal(cold.app.stats.logins, 1)
      assert.equal(world.backend.stats.posts - posts, 1)
      assert.equal(world.backend.stats.bodies.at(-1).platform, b.host)

      const warm = await launch(built.output, b.host, storageFile)
      assert.match(warm.shown, /o-sim-user/)
      assert.equal(warm.app.stats.logins, 0)
      assert.equal(world.backend.stats.posts - posts, 1, 'a warm launch posts nothing')
      assert.equal(warm.app.stats.instantiations, b.core === 'wasm' ? 1 : 0)

      if (b.host === 'wx') {
        // A phone with no WXWebAssembly: the app's fallback loads the subpackage's core.
        const fellBack = await launch(built.output, b.host, world.newStorage(), { wasm: 'absent' })
        assert.match(fellBack.shown, /o-sim-user/, 'the page shows the openid, from the JavaScript core')
        assert.deepEqual(fellBack.app.stats.asyncRequires, ['mp-session-fallback/index.js'])
      }
    } finally {
      built.remove()
    }
  })
}

const WATCH_BUILDS = [
  { framework: 'taro', platform: 'weapp', label: 'taro --watch' },
  { framework: 'uni-app', platform: 'mp-weixin', label: 'uni -p mp-weixin (development build)' },
]

for (const w of WATCH_BUILDS) {
  test(w.label + ' puts the core and its fallback into the output too', async () => {
    const watching = await watchFramework(w.framework, w.platform, { loginUrl: world.backend.loginUrl, file: WASM })
    try {
      console.log(w.label + ': the core was in the output after ' + watching.ms + ' ms')
      assert.ok(SHIPPED.equals(fs.readFileSync(path.join(watching.output, WASM))))
      // The fallback too: the file, and its subpackage declared once the build has written app.json.
      const declared = () => {
        const appJson = JSON.parse(fs.readFileSync(path.join(watching.output, 'app.json'), 'utf8'))
        return (appJson.subPackages || []).some((p) => p.root === 'mp-session-fallback')
      }
      const deadline = Date.now() + 10000
      while (!declared() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.ok(declared(), 'app.json declares the fallback subpackage in a watch build')
      assert.ok(FALLBACK.equals(fs.readFileSync(path.join(watching.output, 'mp-session-fallback', 'index.js'))))
      const { shown } = await launch(watching.output, 'wx', world.newStorage())
      assert.match(shown, /o-sim-user/)
    } finally {
      watching.stop()
    }
  })
}

test('without the plugin the loader says what to do in a framework build', async () => {
  const built = await buildFramework('uni-app', 'mp-weixin', { loginUrl: world.backend.loginUrl })
  try {
    fs.rmSync(path.join(built.output, WASM))
    fs.rmSync(path.join(built.output, 'mp-session-fallback'), { recursive: true })
    const { app, shown } = await launch(built.output, 'wx', world.newStorage())
    assert.match(shown, /WASM_LOAD/)
    const logged = app.stats.logs.map((l) => l.text).join('\n')
    assert.match(logged, /no such file in the code package/)
    assert.match(logged, /built with Taro or uni-app: add the mp-session\/taro or mp-session\/vite plugin/)
  } finally {
    built.remove()
  }
})
