'use strict'
// A strict WeChat mini-program runtime for Node: runs a mini-program folder (app.js, app.json,
// pages/, miniprogram_npm/) the way the logic layer on a phone does, and no kinder.
//
// The app's code runs in its own V8 context that has:
//   wx, WXWebAssembly (or another platform's globals: platforms.js), App, getApp, Page,
//   Component, global, requirePlugin, getCurrentPages, require (the mini-program's own:
//   relative files and miniprogram_npm/ only; a module of a subpackage declared in app.json
//   is reached from another package only with `require.async`, which downloads it first;
//   base library 2.11.2), console, setTimeout/clearTimeout, setInterval/clearInterval
// and has NOT: WebAssembly, TextEncoder, TextDecoder, fetch, process, Buffer, Node's require,
// or eval / new Function (code generation from strings is disabled, as on WeChat).
const fs = require('fs')
const path = require('path')
const vm = require('vm')

const { createStorage } = require('./storage')
const { createWx } = require('./wx-api')
const { createWxWebAssembly, compareVersions } = require('./wx-wasm')
const { platformGlobals } = require('./platforms')

/**
 * @param {object} o
 * @param {string} o.root        the mini-program folder (after "build npm")
 * @param {string} o.storageFile where storage lives; reuse it to restart the app
 * @param {object} o.wechat      the mock WeChat server (wechat-server.js)
 * @param {object} [o.user]      who is using the phone: { openid, unionid }
 * @param {'ios'|'android'|'ohos'} [o.platform]  'ios' (default) refuses Global exports and
 *        post-MVP wasm; 'ohos' (WeChat on HarmonyOS, base library 3.7.0) has no WXWebAssembly:
 *        no document says it has one, so the simulator takes the case that needs the fallback
 * @param {'present'|'absent'|'rejects'} [o.wasm] whether WXWebAssembly is there (from base
 *        library 2.13.0), or is there and its instantiate rejects every module (as reported,
 *        intermittently, on iOS)
 * @param {string} [o.baseLibrary]        default '3.0.0'
 * @param {'instance'|'object'} [o.wasmResult] what WXWebAssembly.instantiate resolves to
 * @param {(options: object) => { statusCode: number, data: unknown }} [o.inProcessBackend]
 *        answers every wx.request in-process, with no HTTP (for the benchmark)
 * @param {boolean} [o.microtasks] run wx callbacks on microtasks instead of timers
 * @param {string[]} [o.requestDomains] the request domain list (origins); default: no check
 * @param {string} [o.host] the mini-program platform: 'wx' (default), 'tt', 'qq', 'swan',
 *        'ks' or 'my' (platforms.js); the app sees that platform's globals only
 * @param {object} [o.cloudFunctions] WeChat cloud functions: name → async (event, context)
 */
function createMiniProgram(o) {
  const stats = { logins: 0, requests: 0, codes: [], toasts: [], instantiations: 0, logs: [], memories: [], crossings: { in: 0, out: 0 }, asyncRequires: [], uploads: [], fetchTokens: [] }
  /** The phone's files, by path: what chooseAvatar gave (`chooseAvatar`). */
  const files = new Map()
  const behaviour = { login: 'ok' }
  const traps = { next: null, fired: 0 }
  const timers = createTimers()
  const storage = createStorage(o.storageFile)
  const user = o.user || { openid: 'o-sim-user', unionid: 'u-sim-user' }
  const wx = createWx({
    storage, wechat: o.wechat, user, behaviour, stats, timers, baseLibrary: o.baseLibrary || '3.0.0', phone: o.platform, files,
    inProcessBackend: o.inProcessBackend, microtasks: o.microtasks, requestDomains: o.requestDomains,
    cloudFunctions: o.cloudFunctions,
  })
  const WXWebAssembly = createWxWebAssembly({
    root: o.root,
    platform: o.platform || 'ios',
    baseLibrary: o.baseLibrary || '3.0.0',
    resultShape: o.wasmResult || 'instance',
    rejects: o.wasm === 'rejects',
    stats,
    traps,
  })
  const hasWasm = o.wasm !== 'absent' && o.platform !== 'ohos' && compareVersions(o.baseLibrary || '3.0.0', '2.13.0') >= 0

  let app = null
  const pages = []
  const pageDefinitions = new Map()
  let loadingPage = null

  const log = (level) => (...args) => {
    stats.logs.push({ level, text: args.map(String).join(' ') })
    if (o.echoConsole) console[level](...args)
  }
  const baseLibrary = o.baseLibrary || '3.0.0'
  const sandbox = {
    ...platformGlobals(o.host || 'wx', {
      wx,
      // WXWebAssembly exists from base library 2.13.0.
      wxWebAssembly: hasWasm ? WXWebAssembly : undefined,
      wechat: o.wechat,
      user,
      behaviour,
      stats,
      later: (fn) => timers.set(fn, 0),
    }),
    App(definition) {
      if (app) throw new Error('App() may be called only once')
      app = definition
    },
    getApp: () => app,
    Page(definition) {
      if (!loadingPage) throw new Error('Page() called outside a page file')
      pageDefinitions.set(loadingPage, { kind: 'Page', definition })
    },
    // A custom component, or (called from a page's file) a page built as a component, as
    // uni-app registers its pages: lifecycle methods under `methods`, `lifetimes`.
    Component(definition) {
      if (loadingPage) pageDefinitions.set(loadingPage, { kind: 'Component', definition })
    },
    // WeChat's `global`: an object of its own (uni-app's vendor.js writes to it).
    global: {},
    requirePlugin(name) {
      throw new Error('plugin ' + name + ' is not declared in app.json')
    },
    getCurrentPages: () => pages.slice(),
    console: { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') },
    setTimeout: (fn, ms, ...args) => timers.set(() => fn(...args), ms),
    clearTimeout: (id) => timers.clear(id),
    setInterval: (fn, ms) => timers.every(fn, ms),
    clearInterval: (id) => timers.clear(id),
  }
  const context = vm.createContext(sandbox, { name: 'mini-program', codeGeneration: { strings: false, wasm: false } })
  vm.runInContext('delete globalThis.WebAssembly', context)
  // The phone's clock, which the user (or the network) can move: `clock.offsetMs`.
  const clock = { offsetMs: 0 }
  vm.runInContext('(function (clock) { var real = Date.now; Date.now = function () { return real() + clock.offsetMs } })',
    context)(clock)

  const appJson = JSON.parse(fs.readFileSync(path.join(o.root, 'app.json'), 'utf8'))
  // The subpackages app.json declares (`subPackages`, or `subpackages`): each root folder.
  const subpackageRoots = (appJson.subPackages || appJson.subpackages || []).map((p) => path.join(o.root, p.root))
  /** The subpackage `file` is in, or null for the main package. */
  const packageOf = (file) => subpackageRoots.find((root) => file.startsWith(root + path.sep)) || null
  /** Subpackages downloaded so far. */
  const downloaded = new Set()

  const modules = new Map()
  function load(file) {
    if (!modules.has(file)) {
      const module = { exports: {} }
      modules.set(file, module)
      const source = fs.readFileSync(file, 'utf8')
      const wrapper = '(function (require, module, exports) {' + source + '\n})'
      const fn = vm.runInContext(wrapper, context, { filename: file })
      fn(requireFrom(path.dirname(file)), module, module.exports)
    }
    return modules.get(file).exports
  }
  function requireFrom(dir) {
    const from = packageOf(path.join(dir, 'x'))
    function require(request) {
      const file = resolve(o.root, dir, request)
      // Another package's module: only through require.async, once it is downloaded (a
      // subpackage may require the main package's).
      const to = packageOf(file)
      if (to && to !== from && !downloaded.has(to)) {
        throw new Error("module '" + request + "' is not defined: it is in the subpackage " + path.relative(o.root, to) + ', reached with require.async')
      }
      return load(file)
    }
    // Cross-package references (分包异步化, base library 2.11.2): the module's package is
    // downloaded first (a later turn), then the module runs; a rejection is `{ errMsg, mod }`.
    if (compareVersions(baseLibrary, '2.11.2') < 0) return require
    require.async = function (request) {
      return new Promise((resolveModule, reject) => {
        timers.set(() => {
          let file
          try {
            file = resolve(o.root, dir, request)
          } catch (e) {
            return reject({ errMsg: 'module "' + request + '" is not defined', mod: request })
          }
          const to = packageOf(file)
          if (to) downloaded.add(to)
          stats.asyncRequires.push(path.relative(o.root, file))
          try {
            resolveModule(load(file))
          } catch (e) {
            reject({ errMsg: String(e && e.message), mod: request })
          }
        }, 0)
      })
    }
    return require
  }

  return {
    stats,
    storage,
    behaviour,
    /** `traps.next = '<export name>'`: the next call of that wasm export traps. */
    traps,
    /** `clock.offsetMs`: how far the phone's clock is from the real one. */
    clock,
    context,
    get app() {
      return app
    },
    get page() {
      return pages[pages.length - 1]
    },
    /** Runs app.js, then onLaunch and onShow, then opens the first page (onLoad, onShow). */
    launch(options = { path: appJson.pages[0], query: {}, scene: 1001 }) {
      requireFrom(o.root)('./app.js')
      if (!app) throw new Error('app.js did not call App()')
      if (typeof app.onLaunch === 'function') app.onLaunch(options)
      if (typeof app.onShow === 'function') app.onShow(options)
      this.openPage(appJson.pages[0])
    },
    /** Loads page `route` (as listed in app.json) and calls its onLoad and onShow. */
    openPage(route, query = {}) {
      loadingPage = route
      requireFrom(o.root)('./' + route + '.js')
      loadingPage = null
      const registered = pageDefinitions.get(route)
      if (!registered) throw new Error(route + '.js did not call Page() or Component()')
      const { kind, definition } = registered
      const own = kind === 'Component' ? Object.assign({}, definition.methods) : {}
      const page = Object.assign(own, definition, { route, __route__: route, is: route, options: query })
      page.data = JSON.parse(JSON.stringify(definition.data || {}))
      // A component's properties start at their default values (a page's are its query's).
      page.properties = {}
      for (const [name, spec] of Object.entries(definition.properties || {})) {
        const type = spec && typeof spec === 'object' ? spec.type : spec
        const value = spec && typeof spec === 'object' && 'value' in spec ? spec.value : defaultOf(type)
        page.properties[name] = name in query ? query[name] : value
      }
      Object.assign(page.data, JSON.parse(JSON.stringify(page.properties)))
      page.setData = function (patch, done) {
        Object.assign(this.data, JSON.parse(JSON.stringify(patch)))
        if (done) timers.set(done, 0)
      }
      page.getPageId = () => 'page-' + pages.length
      // Douyin marks a page's root component as node 0 of its webview (uni-app's Douyin
      // runtime mounts a page only then).
      if (o.host === 'tt') Object.assign(page, { __nodeId__: 0, __webviewId__: pages.length + 1 })
      page.triggerEvent = () => {}
      page.selectComponent = () => null
      page.selectAllComponents = () => []
      pages.push(page)
      if (kind === 'Component') {
        const lifetimes = definition.lifetimes || {}
        for (const name of ['created', 'attached']) {
          const hook = lifetimes[name] || definition[name]
          if (typeof hook === 'function') hook.call(page)
        }
      }
      if (typeof page.onLoad === 'function') page.onLoad(query)
      if (typeof page.onShow === 'function') page.onShow()
      if (typeof page.onReady === 'function') page.onReady()
      if (kind === 'Component') {
        const ready = (definition.lifetimes || {}).ready || definition.ready
        if (typeof ready === 'function') ready.call(page)
      }
      return page
    },
    /** `require` as the app's code has it (from the package root), with its `async`. */
    require: requireFrom(o.root),
    /**
     * The bytes of the main package as WeChat counts them: every file of the folder but the
     * subpackages app.json declares (and node_modules, project files, which are not uploaded).
     */
    mainPackageBytes() {
      const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
        const full = path.join(dir, entry.name)
        if (entry.name === 'node_modules' || /^(package(-lock)?|project\.config|project\.private\.config)\.json$/.test(entry.name)) return sum
        if (entry.isDirectory()) return subpackageRoots.includes(full) ? sum : sum + walk(full)
        return sum + fs.statSync(full).size
      }, 0)
      return walk(o.root)
    },
    /**
     * What `<button open-type="chooseAvatar">` hands the page when the user picks `bytes`: a
     * temporary file on this phone (`wxfile://tmp_…`), which only wx.uploadFile can send.
     */
    chooseAvatar(bytes) {
      const filePath = 'wxfile://tmp_' + Math.random().toString(16).slice(2, 10) + '.png'
      files.set(filePath, Buffer.from(bytes))
      return { avatarUrl: filePath }
    },
    /** Evaluates `code` in the app's context (for probing what the app's code can see). */
    evaluate: (code) => vm.runInContext(code, context),
    /** Waits until `predicate()` is truthy, polling; fails after `timeoutMs`. */
    waitFor(predicate, timeoutMs = 5000, what = 'the condition') {
      const deadline = Date.now() + timeoutMs
      return new Promise((resolve, reject) => {
        const poll = () => {
          let value
          try {
            value = predicate()
          } catch (e) {
            return reject(e)
          }
          if (value) return resolve(value)
          if (Date.now() > deadline) return reject(new Error('timed out after ' + timeoutMs + ' ms waiting for ' + what))
          setTimeout(poll, 2)
        }
        poll()
      })
    },
    /** Closes the app: every timer stops. Storage stays for the next launch. */
    close() {
      timers.clearAll()
    },
  }
}

/** The value a component property of `type` starts at when its definition gives none. */
function defaultOf(type) {
  if (type === String) return ''
  if (type === Number) return 0
  if (type === Boolean) return false
  if (type === Array) return []
  if (type === Object) return {}
  return null
}

/** The mini-program's own module resolution: files of the package, and miniprogram_npm/. */
function resolve(root, dir, request) {
  let file
  if (request.startsWith('./') || request.startsWith('../')) file = path.join(dir, request)
  else if (request.startsWith('/')) file = path.join(root, request)
  else {
    const [name, ...rest] = request.split('/')
    file = path.join(root, 'miniprogram_npm', name, rest.length ? rest.join('/') : 'index')
  }
  const candidates = [file, file + '.js', path.join(file, 'index.js')]
  const found = candidates.find((f) => f.startsWith(root) && fs.existsSync(f) && fs.statSync(f).isFile())
  if (!found) throw new Error("module '" + request + "' is not defined")
  return found
}

/** Timers the simulator can stop all at once when the app closes. */
function createTimers() {
  const live = new Map()
  let next = 1
  return {
    set(fn, ms) {
      const id = next++
      live.set(id, setTimeout(() => {
        live.delete(id)
        fn()
      }, ms || 0))
      return id
    },
    every(fn, ms) {
      const id = next++
      live.set(id, setInterval(fn, ms))
      return id
    },
    clear(id) {
      const handle = live.get(id)
      if (handle !== undefined) {
        clearTimeout(handle)
        clearInterval(handle)
        live.delete(id)
      }
    },
    clearAll() {
      for (const id of [...live.keys()]) this.clear(id)
    },
  }
}

module.exports = { createMiniProgram }
