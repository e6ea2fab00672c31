'use strict'
// Builds examples/taro or examples/uni-app with the framework's real CLI, the way a
// developer's machine does, into a fresh temp folder: the project's files copied, its
// node_modules (installed by `scripts/setup --frameworks`) linked, mp-session in them
// replaced by what npm installs from the packed tarball, and src/config.js pointed at the
// test's backend.
const { execFile, spawn } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const { REPO } = require('./build-example')
const { installedPackage } = require('./tarball')

/** Each framework: its CLI, the build arguments for a platform, and where the output goes. */
const FRAMEWORKS = {
  taro: {
    cli: path.join('node_modules', '.bin', 'taro'),
    args: (platform) => ['build', '--type', platform],
    watchArgs: (platform) => ['build', '--type', platform, '--watch'],
    output: () => 'dist',
    watchOutput: () => 'dist',
  },
  'uni-app': {
    cli: path.join('node_modules', '.bin', 'uni'),
    args: (platform) => ['build', '-p', platform],
    watchArgs: (platform) => ['-p', platform],
    output: (platform) => path.join('dist', 'build', platform),
    watchOutput: (platform) => path.join('dist', 'dev', platform),
  },
}

const BUILD_TIMEOUT_MS = 5 * 60 * 1000

/** The project copied into a temp folder, its node_modules linked, mp-session fresh in them. */
function prepare(framework, loginUrl) {
  const spec = FRAMEWORKS[framework]
  const project = path.join(REPO, 'examples', framework)
  const modules = path.join(project, 'node_modules')
  if (!fs.existsSync(path.join(project, spec.cli))) {
    throw new Error(framework + ' is not installed in ' + modules + ': run scripts/setup --frameworks')
  }
  // The package as npm installs it from the tarball, where the framework resolves it.
  const installed = path.join(modules, 'mp-session')
  fs.rmSync(installed, { recursive: true, force: true })
  fs.cpSync(installedPackage(), installed, { recursive: true })

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-' + framework + '-'))
  fs.cpSync(project, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|unpackage)$/.test(src) })
  fs.symlinkSync(modules, path.join(dir, 'node_modules'), 'dir')
  fs.writeFileSync(path.join(dir, 'src', 'config.js'), 'export const LOGIN_URL = ' + JSON.stringify(loginUrl) + '\n')
  return { spec, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

const env = () => ({ ...process.env, CI: 'true' })

/**
 * Builds `framework` for `platform` with `loginUrl`; resolves to `{ dir, output, log, ms }`.
 * `remove()` deletes the temp folder.
 */
async function buildFramework(framework, platform, { loginUrl }) {
  const { spec, dir, remove } = prepare(framework, loginUrl)
  const started = Date.now()
  const log = await new Promise((resolve, reject) => {
    execFile(path.join(dir, spec.cli), spec.args(platform), {
      cwd: dir,
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 1 << 24,
      env: env(),
    }, (error, stdout, stderr) => {
      const text = stdout + stderr
      if (error) return reject(new Error(framework + ' build for ' + platform + ' failed: ' + error.message + '\n' + text.slice(-3000)))
      resolve(text)
    })
  })
  const output = path.join(dir, spec.output(platform))
  // uni build exits 0 on some errors: the output must be there.
  if (!fs.existsSync(path.join(output, 'app.json'))) {
    throw new Error(framework + ' build for ' + platform + ' wrote no app.json in ' + output + '\n' + log.slice(-3000))
  }
  return {
    dir,
    output,
    log,
    ms: Date.now() - started,
    remove,
  }
}

/**
 * Starts the framework's watch (development) build for `platform` and resolves once
 * `file` (a path in its output) has been written, with `{ output, ms, stop() }`; rejects
 * after `timeoutMs`. `stop()` ends the whole process group and deletes the temp folder.
 */
async function watchFramework(framework, platform, { loginUrl, file, timeoutMs = 3 * 60 * 1000 }) {
  const { spec, dir, remove } = prepare(framework, loginUrl)
  const output = path.join(dir, spec.watchOutput(platform))
  const child = spawn(path.join(dir, spec.cli), spec.watchArgs(platform), { cwd: dir, env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (chunk) => (log += chunk))
  child.stderr.on('data', (chunk) => (log += chunk))
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch (e) {
      // already gone
    }
    remove()
  }
  const started = Date.now()
  try {
    await new Promise((resolve, reject) => {
      const poll = setInterval(() => {
        if (fs.existsSync(path.join(output, file)) && fs.existsSync(path.join(output, 'app.json'))) {
          clearInterval(poll)
          resolve()
        } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
          clearInterval(poll)
          reject(new Error(framework + ' watch build for ' + platform + ' wrote no ' + file + ' in ' + (Date.now() - started) + ' ms\n' + log.slice(-3000)))
        }
      }, 200)
    })
  } catch (e) {
    stop()
    throw e
  }
  return { output, ms: Date.now() - started, stop }
}

module.exports = { buildFramework, watchFramework, FRAMEWORKS }
