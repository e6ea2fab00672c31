'use strict'
// One world per test file: the mock WeChat server, the development backend, and the example
// mini-program after "build npm". `world.open()` starts the app on a phone; a second
// `open()` with the same storage is the same phone after the app was closed.
const test = require('node:test')
const fs = require('fs')
const os = require('os')
const path = require('path')

const { startWechatServer } = require('../support/wechat-server')
const { startDevBackend } = require('../support/dev-backend')
const { buildExample } = require('../support/build-example')
const { createMiniProgram } = require('../support/wechat-sim')

async function createWorld() {
  const wechat = await startWechatServer()
  const backend = await startDevBackend({ wechat })
  const example = await buildExample({ loginUrl: backend.loginUrl })
  const apps = []
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)

  return {
    wechat,
    backend,
    example,
    unhandled,
    /** A fresh phone: its own storage file. */
    newStorage: () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-phone-')), 'storage.json'),
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
    /** A session made by test code inside the app's context, with these options. */
    session(app, options = {}) {
      const { createSession } = app.require('mp-session')
      return createSession({ loginUrl: backend.loginUrl, ...options })
    },
    async close() {
      for (const app of apps) app.close()
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
  return promise.then((value) => ({ value }), (error) => ({ error }))
}

/** A value from the app's context as a plain object of this realm, for deepEqual. */
function plain(value) {
  return JSON.parse(JSON.stringify(value))
}

module.exports = { worldPerFile, settle, plain }
