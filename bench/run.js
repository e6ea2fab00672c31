'use strict'
// The benchmark: mp-session against the plain-JS baseline (bench/baseline.js) in Node (V8)
// and in JavaScriptCore with every JIT off (`jsc --useJIT=0`, as WeChat runs on an iPhone),
// the same driver in both (bench/engine/measure.js on bench/engine/phone.js), the two
// implementations interleaved. Loading is measured in fresh processes (what a phone pays at
// each launch of the app). Prints one table per engine with every target ✓/✗ and writes
// bench/results.json. A benchmark, not a test: it never fails on a slow machine.
//   BENCH_PKG=/path/to/pkg   measures another build the same way (an earlier commit's pkg/)
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const { execFileSync } = require('child_process')

const { measure, brotli } = require('../scripts/sizes')
const { launchJs } = require('./launch-js')

const REPO = path.join(__dirname, '..')
const ENGINE = path.join(__dirname, 'engine')
const N = {
  loads: Number(process.env.BENCH_LOADS) || 21,
  cached: Number(process.env.BENCH_CACHED) || 10000,
  cold: Number(process.env.BENCH_COLD) || 500,
}
const ENGINES = {
  node: (files) => [process.execPath, [path.join(ENGINE, 'prelude-node.js'), ...files]],
  jsc: (files) => ['jsc', ['--useJIT=0', ...files]],
}

function median(samples) {
  const sorted = samples.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Runs the measurement script in `engine` with these settings; its RESULT as an object. */
function run(dir, engine, settings) {
  const config = path.join(dir, 'config-' + engine + '.js')
  const vars = { PACKAGE: dir, BASELINE: path.join(__dirname, 'baseline.js'), CACHED: N.cached, COLD: N.cold, ...settings }
  fs.writeFileSync(config, Object.entries(vars).map(([k, v]) => 'var ' + k + ' = ' + JSON.stringify(v) + '\n').join(''))
  const [command, args] = ENGINES[engine]([path.join(ENGINE, 'phone.js'), config, path.join(ENGINE, 'measure.js')])
  const output = execFileSync(command, args, { encoding: 'utf8', timeout: 30 * 60 * 1000, maxBuffer: 1 << 24 })
  const line = output.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(engine + ' gave no result:\n' + output)
  return JSON.parse(line.slice(7))
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-bench-'))
  try {
    // BENCH_PKG: another build's pkg/ (an earlier commit's, to compare), measured the same way.
    const pkg = process.env.BENCH_PKG || path.join(REPO, 'pkg')
    const shipped = path.join(pkg, 'miniprogram')
    const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(shipped, 'mp_session.wasm.br')))
    fs.copyFileSync(path.join(shipped, 'index.js'), path.join(dir, 'index.js'))
    fs.copyFileSync(path.join(pkg, 'plain', 'index.js'), path.join(dir, 'plain.js'))
    fs.copyFileSync(path.join(pkg, 'trace', 'index.js'), path.join(dir, 'trace.js'))
    fs.writeFileSync(path.join(dir, 'mp_session.wasm'), wasm)
    const files = measure(shipped)
    const sizes = {
      files: Object.fromEntries(files.map((f) => [f.file, f.raw])),
      shipped: files.reduce((sum, f) => sum + f.raw, 0),
      wasmRaw: wasm.length,
      wasmBrotli: brotli(wasm),
      plain: fs.statSync(path.join(pkg, 'plain', 'index.js')).size,
    }

    const js = await launchJs(path.join(shipped, 'index.js'), path.join(shipped, 'mp_session.wasm.br'))
    const results = { sizes, launchJs: { bytes: js.bytes, functions: js.functions }, engines: {} }
    for (const engine of Object.keys(ENGINES)) {
      process.stderr.write('measuring in ' + engine + '...\n')
      const loads = { ours: [], plain: [], baseline: [] }
      const firsts = { ours: [], plain: [], baseline: [] }
      // Each implementation in its own fresh process, interleaved, round after round.
      for (let i = 0; i < N.loads; i++) {
        for (const impl of Object.keys(loads)) {
          loads[impl].push(run(dir, engine, { MODE: 'load', IMPL: impl }).ms)
          firsts[impl].push(run(dir, engine, { MODE: 'first', IMPL: impl }))
        }
      }
      const launches = run(dir, engine, { MODE: 'launches', IMPL: 'ours' })
      const load = { processes: N.loads }
      const first = { processes: N.loads }
      for (const impl of Object.keys(loads)) {
        load[impl] = median(loads[impl])
        first[impl] = {}
        for (const figure of ['load', 'loadLaunch', 'first']) first[impl][figure] = median(firsts[impl].map((f) => f[figure]))
      }
      results.engines[engine] = { load, first, ...launches }
    }
    report(results)
    fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The table: each figure with mp-session's value, plain JS's, the ratio, and the target ✓/✗. */
function report(r) {
  const ms = (x) => (x >= 1 ? x.toFixed(2) + ' ms' : (x * 1000).toFixed(1) + ' µs')
  const ratio = (a, b) => (a / b).toFixed(2) + '×'
  const mark = (ok) => (ok ? '✓' : '✗')
  const rows = []
  const add = (figure, ours, plain, rate, target, met) => rows.push([figure, ours, plain, rate, target ? mark(met) + ' ' + target : ''])
  const bytes = (n) => n.toLocaleString('en-US')
  const s = r.sizes
  add('shipped bytes (miniprogram/, as shipped)', Object.entries(s.files).map(([f, n]) => f + ' ' + bytes(n)).join(' + ') + ' = ' + bytes(s.shipped), '', '', '≤ 20,480', s.shipped <= 20480)
  add('.wasm brotli -q 11 (raw)', bytes(s.wasmBrotli) + ' (' + bytes(s.wasmRaw) + ')', '', '', '≤ 12,288', s.wasmBrotli <= 12288)
  add('index.js minified', bytes(s.files['index.js']), '', '', '≤ 12,288', s.files['index.js'] <= 12288)
  add('plain/index.js (wasm2js: QQ, Baidu, Alipay, Kuaishou)', bytes(s.plain), '', '', '≤ 81,920', s.plain <= 81920)
  add('JS that runs, require → first cached launch (bytes of index.js whose function ran)', bytes(r.launchJs.bytes) + ' in ' + r.launchJs.functions + ' functions',
    '', '', '≤ 6,000', r.launchJs.bytes <= 6000)
  const timed = (name, e, impl, target) => {
    const label = impl === 'plain' ? ' (plain entry)' : ''
    const cached = e[impl].cached / e.baseline.cached
    add('cached launch, median, ' + name + label, ms(e[impl].cached), ms(e.baseline.cached), ratio(e[impl].cached, e.baseline.cached),
      target.cached ? '≤ ' + target.cached + '×' : '', !target.cached || cached <= target.cached)
    const cold = e[impl].cold / e.baseline.cold
    add('cold launch (own overhead), median, ' + name + label, ms(e[impl].cold), ms(e.baseline.cold), ratio(e[impl].cold, e.baseline.cold),
      target.cold ? '≤ ' + target.cold + '×' : '', !target.cold || cold <= target.cold)
    const load = e.load[impl] / e.load.baseline
    add('load, fresh process (require → ready), median of ' + e.load.processes + ', ' + name + label, ms(e.load[impl]), ms(e.load.baseline),
      ratio(e.load[impl], e.load.baseline), target.load ? '≤ ' + target.load + '×' : '', !target.load || load <= target.load)
    const warm = [
      ['load, builtins warm, fresh process', 'load', target.warmLoad],
      ['load + first cached launch, builtins warm, fresh process (what a user waits for)', 'loadLaunch', target.loadLaunch],
      ['first cached launch, fresh process', 'first', target.first],
    ]
    for (const [figure, key, goal] of warm) {
      const ours = e.first[impl][key]
      const base = e.first.baseline[key]
      add(figure + ', median of ' + e.first.processes + ', ' + name + label, ms(ours), ms(base), ratio(ours, base),
        goal ? '≤ ' + goal + '×' : '', !goal || ours / base <= goal)
    }
  }
  for (const [engine, e] of Object.entries(r.engines)) {
    const name = engine === 'jsc' ? 'JSC no JIT' : 'Node'
    const c = e.crossings
    if (engine === 'node') {
      add('calls per cached launch, in / out', c.cached.in + ' / ' + c.cached.out, '', '', '≤ 3 / ≤ 1', c.cached.in <= 3 && c.cached.out <= 1)
      add('calls per cold launch, in / out', c.cold.in + ' / ' + c.cold.out, '', '', '', true)
    }
    timed(name, e, 'ours', engine === 'jsc' ? { cached: 4, cold: 2, load: 3, warmLoad: 4, loadLaunch: 3.5, first: 1.5 } : { cached: 2 })
    // The flight recorder's cost: the same launches with `trace: recorder()`, interleaved with
    // those without it (the ratio is against mp-session without it, not the baseline).
    for (const kind of ['cached', 'cold']) {
      const on = e.traced[kind]
      const off = e.ours[kind]
      add((kind === 'cached' ? 'cached' : 'cold') + ' launch with trace: recorder(), median, ' + name + ' (vs. without it)', ms(on), ms(off),
        ratio(on, off) + ', +' + ms(on - off), '', true)
    }
    if (engine === 'jsc') timed(name, e, 'plain', {})
    add('1000 concurrent ensure(), ' + name, e.concurrency.ours.logins + ' login, ' + e.concurrency.ours.posts + ' POST, ' + ms(e.concurrency.ours.ms),
      e.concurrency.baseline.logins + ' login, ' + ms(e.concurrency.baseline.ms), ratio(e.concurrency.ours.ms, e.concurrency.baseline.ms),
      '1 login, 1 POST', e.concurrency.ours.logins === 1 && e.concurrency.ours.posts === 1)
    if (engine === 'node') {
      const m = e.memory
      const kib = (b) => (b / 1024).toFixed(0) + ' KiB'
      add('wasm memory: load / 1k / ' + e.launches + ' launches', [m.afterLoad, m.after1000, m.afterAll].map(kib).join(' / '), '', '',
        '64 KiB (one page), no growth', m.afterAll <= 64 * 1024 && m.afterAll === m.after1000)
    }
  }
  const head = ['figure', 'mp-session', 'plain JS', 'ratio', 'target']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  console.log(line(head))
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |')
  rows.forEach((row) => console.log(line(row)))
  r.table = rows
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
