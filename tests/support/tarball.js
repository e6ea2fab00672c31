'use strict'
// The npm package as `npm publish` would upload it: the tarball scripts/build packs into
// target/npm/, installed by npm itself into a fresh project. The tests that install
// mp-session install this, never a copy of pkg/.
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const REPO = path.join(__dirname, '..', '..')
const PACKED = path.join(REPO, 'target', 'npm')

/** `npm pack --json`'s account of the tarball: `{ filename, size, files: [{ path }] }`. */
function packed() {
  const report = path.join(PACKED, 'pack.json')
  if (!fs.existsSync(report)) throw new Error('no packed tarball in ' + PACKED + ': run scripts/build')
  const [pack] = JSON.parse(fs.readFileSync(report, 'utf8'))
  const built = fs.statSync(path.join(REPO, 'pkg', 'package.json')).mtimeMs
  const file = path.join(PACKED, pack.filename)
  if (fs.statSync(file).mtimeMs < built) throw new Error(file + ' is older than pkg/: run scripts/build')
  return { ...pack, file }
}

/** `npm install <tarball>` in `dir` (a project with a package.json), as a user would. */
function installTarball(dir) {
  execFileSync('npm', ['install', packed().file, '--no-audit', '--no-fund', '--loglevel=error', '--install-links'], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 120 * 1000,
  })
  return path.join(dir, 'node_modules', 'mp-session')
}

let installed
/**
 * The package as npm installs it from the tarball, in a project of its own made once per
 * test process (removed at exit): copy it where a framework's shared node_modules wants it.
 */
function installedPackage() {
  if (installed) return installed
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-installed-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'an-app', private: true }) + '\n')
  installed = installTarball(dir)
  return installed
}

module.exports = { packed, installTarball, installedPackage }
