'use strict'
// The benchmark: mp-session against the plain-JS baseline (bench/baseline.js), both inside the
// strict WeChat simulator with an in-process, zero-latency wx.login and backend, so that only
// their own cost is measured. Runs interleaved (ours, baseline, ours, ...), prints a table and
// writes bench/results.json. Ratios are what count: absolute times here are noisy.
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')
const { performance } = require('perf_hooks')

const { createMiniProgram } = require('../tests/support/wechat-sim')
const { buildExample, REPO } = require('../tests/support/build-example')
const { measure, brotli } = require('../scripts/sizes')

const N = {
  loads: Number(process.env.BENCH_LOADS) || 200,
  cached: Number(process.env.BENCH_CACHED) || 10000,
  cold: Number(process.env.BENCH_COLD) || 1000,
  concurrent: 1000,
}
const KEY = 'mp-session:default'
const OPTIONS = { loginUrl: 'https://api.example.com/auth/wx-login' }

function stats(samples) {
  const sorted = samples.slice().sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { median: at(0.5), p99: at(0.99), n: samples.length }
}

async function main() {
  const example = await buildExample({ loginUrl: OPTIONS.loginUrl })
  fs.copyFileSync(path.join(__dirname, 'baseline.js'), path.join(example.dir, 'baseline.js'))
  let codes = 0
  const wechat = { issueCode: () => 'bench-code-' + ++codes }
  let posts = 0
  const backend = () => {
    posts++
    return { statusCode: 200, data: JSON.stringify({ openid: 'o-bench', unionid: 'u-bench', token: 't-' + posts, expires_in: 7200 }) }
  }
  const phone = () => createMiniProgram({ root: example.dir, wechat, inProcessBackend: backend, microtasks: true, platform: 'ios' })
  const impls = {
    ours: (app) => app.require('mp-session'),
    baseline: (app) => app.require('/baseline.js'),
  }
  const names = Object.keys(impls)
  const results = { sizes: {}, times: {}, effects: {}, concurrency: {}, memory: {} }

  // Sizes, as shipped.
  const shipped = measure(path.join(REPO, 'pkg', 'miniprogram'))
  const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(REPO, 'pkg', 'miniprogram', 'mp_session.wasm.br')))
  results.sizes = {
    files: Object.fromEntries(shipped.map((f) => [f.file, f.raw])),
    shipped: shipped.reduce((sum, f) => sum + f.raw, 0),
    wasmRaw: wasm.length,
    wasmBrotli: brotli(wasm),
  }

  // Module load: a fresh app each time, from require() to the core being ready.
  phone().require('mp-session') // warm the simulator's own one-off checks of the module
  const loads = { ours: [], baseline: [] }
  for (let i = 0; i < N.loads; i++) {
    for (const name of names) {
      const app = phone()
      const t0 = performance.now()
      const session = impls[name](app).createSession({ ...OPTIONS, api: app.context.wx })
      await session.ready()
      loads[name].push(performance.now() - t0)
      session.close()
      app.close()
    }
  }

  // One app per implementation for the launches (one module instance, as on a phone).
  const apps = { ours: phone(), baseline: phone() }
  const libs = { ours: impls.ours(apps.ours), baseline: impls.baseline(apps.baseline) }
  const counters = (app) => ({ reads: app.storage.stats.reads, writes: app.storage.stats.writes, logins: app.stats.logins, posts })
  const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]))
  const memory = () => apps.ours.stats.memories[0].buffer.byteLength

  async function launchOnce(name, cold) {
    const app = apps[name]
    const session = libs[name].createSession({ ...OPTIONS, api: app.context.wx })
    await session.ready()
    if (cold) app.context.wx.removeStorageSync(KEY)
    const before = counters(app)
    const t0 = performance.now()
    const s = await session.launch()
    const t = performance.now() - t0
    const effects = diff(before, counters(app))
    session.close()
    if (s.openid !== 'o-bench') throw new Error(name + ' launched without the session')
    return { t, effects }
  }

  for (const name of names) await launchOnce(name, true) // stores a session
  results.memory.afterLoad = memory()
  const cached = { ours: [], baseline: [] }
  const cachedEffects = {}
  for (let i = 0; i < N.cached; i++) {
    for (const name of names) {
      const { t, effects } = await launchOnce(name, false)
      cached[name].push(t)
      cachedEffects[name] = cachedEffects[name] || effects
      if (JSON.stringify(effects) !== JSON.stringify(cachedEffects[name])) throw new Error(name + ': a cached launch did other work')
    }
    if (i === 999) results.memory.after1000 = memory()
  }
  results.memory.after10000 = memory()

  const cold = { ours: [], baseline: [] }
  const coldEffects = {}
  for (let i = 0; i < N.cold; i++) {
    for (const name of names) {
      const { t, effects } = await launchOnce(name, true)
      cold[name].push(t)
      coldEffects[name] = effects
    }
  }

  for (const name of names) {
    const app = apps[name]
    const session = libs[name].createSession({ ...OPTIONS, api: app.context.wx })
    await session.ready()
    app.context.wx.removeStorageSync(KEY)
    const before = counters(app)
    const t0 = performance.now()
    await Promise.all(Array.from({ length: N.concurrent }, () => session.ensure()))
    const total = performance.now() - t0
    const effects = diff(before, counters(app))
    results.concurrency[name] = { calls: N.concurrent, logins: effects.logins, posts: effects.posts, totalMs: total }
    session.close()
  }

  for (const name of names) {
    results.times[name] = { load: stats(loads[name]), cached: stats(cached[name]), cold: stats(cold[name]) }
    results.effects[name] = { cached: cachedEffects[name], cold: coldEffects[name] }
  }
  report(results)
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  fs.rmSync(example.dir, { recursive: true, force: true })
}

function report(r) {
  const ms = (x) => x.toFixed(3) + ' ms'
  const ratio = (a, b) => (a / b).toFixed(2) + '×'
  const ok = (pass) => (pass ? '✓' : '✗')
  const o = r.times.ours
  const b = r.times.baseline
  const rows = [
    ['shipped bytes (miniprogram/)', Object.entries(r.sizes.files).map(([f, n]) => f + ' ' + n).join(', ') + ' = ' + r.sizes.shipped, '', ''],
    ['.wasm raw / brotli -q 11', r.sizes.wasmRaw + ' / ' + r.sizes.wasmBrotli, '', ''],
    ['module load, median', ms(o.load.median), ms(b.load.median), ratio(o.load.median, b.load.median)],
    ['cached launch, median', ms(o.cached.median), ms(b.cached.median), ratio(o.cached.median, b.cached.median)],
    ['cached launch, p99', ms(o.cached.p99), ms(b.cached.p99), ratio(o.cached.p99, b.cached.p99)],
    ['cold launch, median', ms(o.cold.median), ms(b.cold.median), ratio(o.cold.median, b.cold.median)],
    ['cold launch, p99', ms(o.cold.p99), ms(b.cold.p99), ratio(o.cold.p99, b.cold.p99)],
    ['1000 concurrent ensure()', fmtConc(r.concurrency.ours), fmtConc(r.concurrency.baseline), ratio(r.concurrency.ours.totalMs, r.concurrency.baseline.totalMs)],
    ['effects, cached launch', fmtEffects(r.effects.ours.cached), fmtEffects(r.effects.baseline.cached), ''],
    ['effects, cold launch', fmtEffects(r.effects.ours.cold), fmtEffects(r.effects.baseline.cold), ''],
    ['wasm memory: load / 1k / 10k launches', [r.memory.afterLoad, r.memory.after1000, r.memory.after10000].map(kib).join(' / '), '', ''],
  ]
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => String(row[i]).length), ['figure', 'mp-session', 'plain JS', 'ratio'][i].length))
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |'
  console.log(line(['figure', 'mp-session', 'plain JS', 'ratio']))
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |')
  rows.forEach((row) => console.log(line(row)))

  const c = r.effects.ours.cached
  r.targets = [
    ['shipped bytes ≤ 24 KiB', r.sizes.shipped <= 24 * 1024, r.sizes.shipped + ' bytes'],
    ['.wasm ≤ 16 KiB brotli', r.sizes.wasmBrotli <= 16 * 1024, r.sizes.wasmBrotli + ' bytes'],
    ['module load ≤ 3 ms median', o.load.median <= 3, ms(o.load.median)],
    ['cached launch ≤ 2× plain JS', o.cached.median <= 2 * b.cached.median, ratio(o.cached.median, b.cached.median)],
    ['cold-launch overhead ≤ 1 ms', o.cold.median <= 1, ms(o.cold.median)],
    ['cached launch: 1 read, 0 writes, 0 logins, 0 POSTs', c.reads === 1 && c.writes === 0 && c.logins === 0 && c.posts === 0, fmtEffects(c)],
    ['1000 concurrent ensure(): 1 login, 1 POST', r.concurrency.ours.logins === 1 && r.concurrency.ours.posts === 1, fmtConc(r.concurrency.ours)],
    ['wasm memory ≤ 256 KiB after 10k launches', r.memory.after10000 <= 256 * 1024, kib(r.memory.after10000)],
    ['no memory growth from 1k to 10k launches', r.memory.after10000 === r.memory.after1000, kib(r.memory.after1000) + ' → ' + kib(r.memory.after10000)],
  ].map(([target, pass, figure]) => ({ target, met: pass, figure }))
  console.log('')
  for (const t of r.targets) console.log(ok(t.met) + ' ' + t.target + ': ' + t.figure)
}

const kib = (bytes) => (bytes / 1024).toFixed(0) + ' KiB'
const fmtEffects = (e) => `${e.reads} read, ${e.writes} write, ${e.logins} login, ${e.posts} POST`
const fmtConc = (c) => `${c.logins} login, ${c.posts} POST, ${c.totalMs.toFixed(1)} ms`

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
