'use strict'
// One world per test file: the mock WeChat server, the development backend, and the example
// mini-program after "build npm". `world.open()` starts the app on a phone; a second
// `open()` with the same storage is the same phone after the app was closed.
const test = require('node:test')
const fs = require('fs')
const path = require('path')

const { startWechatServer } = require('../support/wechat-server')
const { REPO } = require('../support/build-example')
const { startDevBackend } = require('../support/dev-backend')
const { buildExample } = require('../support/build-example')
const { createMiniProgram } = require('../support/wechat-sim')

/**
 * Where the suite leaves what it wrote and printed: phones' storage, the app's console, every
 * error the app saw, and (apart) the secrets the mock WeChat issued. scripts/scan-secrets.js
 * checks that no secret appears anywhere else in it.
 */
const OUTPUT = process.env.MP_SESSION_TEST_OUTPUT || path.join(REPO, 'test-output')
const seenErrors = []

function writeOutput(kind, name, text) {
  const dir = path.join(OUTPUT, kind)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, name), text)
}

async function createWorld() {
  const wechat = await startWechatServer()
  const backend = await startDevBackend({ wechat })
  const example = await buildExample({ loginUrl: backend.loginUrl })
  // Platforms with no WebAssembly use the plain-JavaScript entry, which a native project
  // copies into its own files (it is not in the miniprogram/ folder Build npm copies).
  fs.mkdirSync(path.join(example.dir, 'lib'), { recursive: true })
  fs.copyFileSync(path.join(example.dir, 'node_modules', 'mp-session', 'plain', 'index.js'), path.join(example.dir, 'lib', 'mp-session-plain.js'))
  const apps = []
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)

  return {
    wechat,
    backend,
    example,
    unhandled,
    /** A fresh phone: its own storage file, kept in the test output. */
    newStorage() {
      fs.mkdirSync(path.join(OUTPUT, 'phones'), { recursive: true })
      return path.join(fs.mkdtempSync(path.join(OUTPUT, 'phones', 'phone-')), 'storage.json')
    },
    /** Starts the example app (not launched yet). */
    open(options = {}) {
      const app = createMiniProgram({
        root: example.dir,
        wechat,
        storageFile: options.storageFile || this.newStorage(),
        ...options,
      })
      apps.push(app)
      return app
    },
    /**
     * A session made by test code inside the app's context, with these options, from the
     * WebAssembly entry or (`entry: 'plain'`) the plain-JavaScript one.
     */
    session(app, options = {}, entry = 'wasm') {
      const { createSession } = app.require(entry === 'plain' ? '/lib/mp-session-plain.js' : 'mp-session')
      return createSession({ loginUrl: backend.loginUrl, ...options })
    },
    async close() {
      for (const app of apps) app.close()
      const name = path.basename(require.main ? require.main.filename : 'suite') + '-' + process.pid
      writeOutput('secrets', name + '.json', JSON.stringify(wechat.secrets()))
      writeOutput('secrets', name + '.kept-by-server.json', JSON.stringify(wechat.keptByServer()))
      writeOutput('console', name + '.log', apps.flatMap((a) => a.stats.logs.map((l) => l.level + ' ' + l.text)).join('\n'))
      writeOutput('errors', name + '.log', seenErrors.map((e) => JSON.stringify({ ...e, message: e.message, stack: e.stack })).join('\n'))
      process.off('unhandledRejection', onUnhandled)
      await backend.close()
      await wechat.close()
      fs.rmSync(example.dir, { recursive: true, force: true })
    },
  }
}

/**
 * The world of one test file: created before its first test, closed after its last. The
 * returned object is filled in by the `before` hook.
 */
function worldPerFile() {
  const world = {}
  test.before(async () => {
    Object.assign(world, await createWorld())
  })
  test.after(() => world.close())
  return world
}

/** Resolves to `{ value }` or `{ error }`, so a test can look at a rejection's fields. */
function settle(promise) {
  return promise.then((value) => ({ value }), (error) => {
    seenErrors.push(error)
    return { error }
  })
}

/** A value from the app's context as a plain object of this realm, for deepEqual. */
function plain(value) {
  return JSON.parse(JSON.stringify(value))
}

module.exports = { worldPerFile, settle, plain, OUTPUT }
