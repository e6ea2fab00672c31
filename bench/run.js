'use strict'
// The benchmark: mp-session against the plain-JS baseline (bench/baseline.js) in Node (V8)
// and in JavaScriptCore with every JIT off (`jsc --useJIT=0`, as WeChat runs on an iPhone),
// the same driver in both (bench/engine/measure.js on bench/engine/phone.js), the two
// implementations interleaved. Loading is measured in fresh processes (what a phone pays at
// each launch of the app). Prints one table per engine with every target ✓/✗ and writes
// bench/results.json. A benchmark, not a test: it never fails on a slow machine.
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const { execFileSync } = require('child_process')

const { measure, brotli } = require('../scripts/sizes')

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

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-bench-'))
  try {
    const shipped = path.join(REPO, 'pkg', 'miniprogram')
    const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(shipped, 'mp_session.wasm.br')))
    fs.copyFileSync(path.join(shipped, 'index.js'), path.join(dir, 'index.js'))
    fs.writeFileSync(path.join(dir, 'mp_session.wasm'), wasm)
    const files = measure(shipped)
    const sizes = {
      files: Object.fromEntries(files.map((f) => [f.file, f.raw])),
      shipped: files.reduce((sum, f) => sum + f.raw, 0),
      wasmRaw: wasm.length,
      wasmBrotli: brotli(wasm),
    }

    const results = { sizes, engines: {} }
    for (const engine of Object.keys(ENGINES)) {
      process.stderr.write('measuring in ' + engine + '...\n')
      const loads = { ours: [], baseline: [] }
      for (let i = 0; i < N.loads; i++) {
        for (const impl of ['ours', 'baseline']) loads[impl].push(run(dir, engine, { MODE: 'load', IMPL: impl }).ms)
      }
      const launches = run(dir, engine, { MODE: 'launches', IMPL: 'ours' })
      results.engines[engine] = { load: { ours: median(loads.ours), baseline: median(loads.baseline), processes: N.loads }, ...launches }
    }
    report(results)
    fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function report(r) {
  const ms = (x) => x.toFixed(4) + ' ms'
  const ratio = (a, b) => (a / b).toFixed(2) + '×'
  const mark = (ok) => (ok ? '✓' : '✗')
  const rows = []
  const add = (figure, ours, plain, rate, target, met) => rows.push([figure, ours, plain, rate, target ? mark(met) + ' ' + target : ''])
  const s = r.sizes
  add('shipped bytes (miniprogram/, as shipped)', Object.entries(s.files).map(([f, n]) => f + ' ' + n).join(' + ') + ' = ' + s.shipped, '', '', '≤ 24,576', s.shipped <= 24576)
  add('.wasm brotli -q 11 (raw)', s.wasmBrotli + ' (' + s.wasmRaw + ')', '', '', '≤ 14,336', s.wasmBrotli <= 14336)
  add('index.js minified', String(s.files['index.js']), '', '', '≤ 10,240', s.files['index.js'] <= 10240)
  for (const [engine, e] of Object.entries(r.engines)) {
    const name = engine === 'jsc' ? 'JSC no JIT' : 'Node'
    const c = e.crossings
    if (engine === 'node') {
      add('calls per cached launch, in / out', c.cached.in + ' / ' + c.cached.out, '', '', '≤ 4 / ≤ 4', c.cached.in <= 4 && c.cached.out <= 4)
      add('calls per cold launch, in / out', c.cold.in + ' / ' + c.cold.out, '', '', '', true)
    }
    const cached = e.ours.cached / e.baseline.cached
    add('cached launch, median, ' + name, ms(e.ours.cached), ms(e.baseline.cached), ratio(e.ours.cached, e.baseline.cached),
      engine === 'jsc' ? '≤ 3×' : '≤ 1.5×', cached <= (engine === 'jsc' ? 3 : 1.5))
    const cold = e.ours.cold / e.baseline.cold
    add('cold launch (own overhead), median, ' + name, ms(e.ours.cold), ms(e.baseline.cold), ratio(e.ours.cold, e.baseline.cold),
      engine === 'jsc' ? '≤ 2×' : '', engine !== 'jsc' || cold <= 2)
    const load = e.load.ours / e.load.baseline
    add('load, fresh process (require → ready), median of ' + e.load.processes + ', ' + name, ms(e.load.ours), ms(e.load.baseline),
      ratio(e.load.ours, e.load.baseline), engine === 'jsc' ? '≤ 4×' : '', engine !== 'jsc' || load <= 4)
    add('1000 concurrent ensure(), ' + name, e.concurrency.ours.logins + ' login, ' + e.concurrency.ours.posts + ' POST, ' + ms(e.concurrency.ours.ms),
      e.concurrency.baseline.logins + ' login, ' + ms(e.concurrency.baseline.ms), ratio(e.concurrency.ours.ms, e.concurrency.baseline.ms),
      '1 login, 1 POST', e.concurrency.ours.logins === 1 && e.concurrency.ours.posts === 1)
    if (engine === 'node') {
      const m = e.memory
      const kib = (b) => (b / 1024).toFixed(0) + ' KiB'
      add('wasm memory: load / 1k / ' + e.launches + ' launches', [m.afterLoad, m.after1000, m.afterAll].map(kib).join(' / '), '', '',
        '≤ 128 KiB, no growth', m.afterAll <= 128 * 1024 && m.afterAll === m.after1000)
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

main()
