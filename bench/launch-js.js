'use strict'
// The JavaScript that runs from `require` to the first cached launch: the bytes of the shipped
// index.js whose innermost function ran (the module's top level included), measured with V8's
// precise coverage on the phone of bench/engine/phone.js. On an iPhone every such byte is
// parsed, compiled to bytecode and interpreted at each cold start; the rest is only scanned.
//   node bench/launch-js.js [--list] [PACKAGE_INDEX_JS]
// Prints `N bytes in M functions of T`; with --list, each function that ran and its own bytes.
// The same figure is a test budget (tests/e2e/package.test.js) and a benchmark row.
const fs = require('fs')
const os = require('os')
const path = require('path')
const vm = require('vm')
const zlib = require('zlib')
const inspector = require('inspector')

const REPO = path.join(__dirname, '..')

/**
 * Runs a cached launch of the bundle at `file` (with the .wasm from `wasmBr`) under coverage;
 * resolves to `{ bytes, functions, total, ran: [{ name, bytes }] }`.
 */
async function launchJs(file, wasmBr) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-launch-js-'))
  const session = new inspector.Session()
  session.connect()
  const post = (method, params) => new Promise((resolve, reject) => {
    session.post(method, params || {}, (error, result) => (error ? reject(error) : resolve(result)))
  })
  try {
    fs.writeFileSync(path.join(dir, 'mp_session.wasm'), zlib.brotliDecompressSync(fs.readFileSync(wasmBr)))
    const source = fs.readFileSync(file, 'utf8')
    const context = phoneContext()
    const phone = context.newPhone(dir, {})
    // A cached session on the phone, as a second launch of the app finds it.
    phone.storage['mp-session:default'] = JSON.stringify({
      v: 1, openid: 'o-phone-user', unionid: null, token: 'tok', expiresAt: Date.now() + 3600000,
      obtainedAt: Date.now() - 60000, userInfo: null,
    })
    // Promises and async functions already in use, as they are in a running mini-program.
    await context.warm()
    await post('Profiler.enable')
    await post('Profiler.startPreciseCoverage', { callCount: true, detailed: false })
    const filename = path.join(dir, 'index.js')
    const run = await context.cachedLaunch(phone, vm.compileFunction(source, ['module', 'exports', 'WXWebAssembly', 'wx'], {
      filename, parsingContext: context.vm,
    }))
    if (run.openid !== 'o-phone-user' || run.source !== 'cache') throw new Error('not a cached launch: ' + JSON.stringify(run))
    const { result } = await post('Profiler.takePreciseCoverage')
    await post('Profiler.stopPreciseCoverage')
    const script = result.find((s) => s.url === filename || s.url === 'file://' + filename)
    if (!script) throw new Error('no coverage for the bundle')
    return ownBytes(script.functions, source.length)
  } finally {
    session.disconnect()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The phone of bench/engine/phone.js in a context of its own, and the steps of a launch. */
function phoneContext() {
  const sandbox = {
    print: () => {},
    readFile: (f, mode) => (mode === 'binary' ? new Uint8Array(fs.readFileSync(f)) : fs.readFileSync(f, 'utf8')),
    preciseTime: () => performance.now() / 1000,
    setTimeout, clearTimeout, WebAssembly, Promise, Date, JSON, Math, Uint8Array,
  }
  const context = vm.createContext(sandbox)
  vm.runInContext(fs.readFileSync(path.join(__dirname, 'engine', 'phone.js'), 'utf8'), context)
  return {
    vm: context,
    newPhone: (dir, options) => vm.runInContext('newPhone', context)(dir, options),
    warm: () => vm.runInContext('(async function () { await Promise.resolve(); await new Promise(function (r) { setTimeout(r, 0) }) })()', context),
    async cachedLaunch(phone, moduleFunction) {
      const own = { exports: {} }
      moduleFunction(own, own.exports, phone.WXWebAssembly, phone.wx)
      // As an app makes it: no `api`, so the shim finds the platform's API itself.
      const mp = own.exports.createSession({ loginUrl: 'https://api.example.com/auth/login' })
      return mp.launch()
    },
  }
}

/**
 * The bytes whose innermost function ran: each function's range less the ranges of the
 * functions inside it, counted when the function's count is above zero.
 */
function ownBytes(functions, total) {
  const ranges = functions
    .map((f) => ({ name: f.functionName || '(anonymous)', start: f.ranges[0].startOffset, end: f.ranges[0].endOffset, count: f.ranges[0].count }))
    .sort((a, b) => a.start - b.start || b.end - a.end)
  // The innermost range of each byte, by a walk with a stack of open ranges.
  const own = new Map(ranges.map((r) => [r, 0]))
  const stack = []
  let at = 0
  const credit = (to) => {
    if (stack.length && to > at) own.set(stack[stack.length - 1], own.get(stack[stack.length - 1]) + (to - at))
    at = Math.max(at, to)
  }
  for (const r of ranges) {
    while (stack.length && stack[stack.length - 1].end <= r.start) {
      credit(stack[stack.length - 1].end)
      stack.pop()
    }
    credit(r.start)
    stack.push(r)
  }
  while (stack.length) {
    credit(stack[stack.length - 1].end)
    stack.pop()
  }
  const ran = ranges.filter((r) => r.count > 0).map((r) => ({ name: r.name, bytes: own.get(r) }))
  return { bytes: ran.reduce((sum, r) => sum + r.bytes, 0), functions: ran.length, total, ran }
}

module.exports = { launchJs }

if (require.main === module) {
  const args = process.argv.slice(2)
  const list = args.includes('--list')
  const file = args.find((a) => a !== '--list') || path.join(REPO, 'pkg', 'miniprogram', 'index.js')
  launchJs(file, path.join(path.dirname(file), 'mp_session.wasm.br')).then((r) => {
    if (list) r.ran.sort((a, b) => b.bytes - a.bytes).forEach((f) => console.log(String(f.bytes).padStart(6) + '  ' + f.name))
    console.log(r.bytes + ' bytes in ' + r.functions + ' functions of ' + r.total)
  }, (error) => {
    console.error(error)
    process.exit(1)
  })
}
