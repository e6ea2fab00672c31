'use strict'
// Prepares the example mini-program the way a developer's machine does: copies it, installs
// the packed tarball (`npm install mp-session-X.tgz`, what `npm publish` would upload), runs WeChat's own "build npm" (miniprogram-ci
// packNpmManually, the same code as the developer tool's 构建npm), puts the JavaScript core in
// its subpackage, and points config.js at the development backend.
const fs = require('fs')
const os = require('os')
const path = require('path')

const { installTarball } = require('./tarball')

const REPO = path.join(__dirname, '..', '..')

async function buildExample({ loginUrl, into }) {
  const dir = into || fs.mkdtempSync(path.join(os.tmpdir(), 'mp-session-example-'))
  fs.cpSync(path.join(REPO, 'examples', 'miniprogram'), dir, {
    recursive: true,
    filter: (src) => !/(node_modules|miniprogram_npm)$/.test(src),
  })
  installTarball(dir)

  const ci = quietly(() => require('miniprogram-ci'))
  const result = await ci.packNpmManually({
    packageJsonPath: path.join(dir, 'package.json'),
    miniprogramNpmDistDir: dir,
  })
  fs.writeFileSync(path.join(dir, 'config.js'), 'module.exports = { loginUrl: ' + JSON.stringify(loginUrl) + ' }\n')
  // The JavaScript core in the subpackage app.json declares, as the README says to put it.
  fs.mkdirSync(path.join(dir, 'mp-session-fallback'), { recursive: true })
  fs.copyFileSync(path.join(dir, 'node_modules', 'mp-session', 'fallback', 'index.js'), path.join(dir, 'mp-session-fallback', 'index.js'))
  return { dir, packResult: result, npmDir: path.join(dir, 'miniprogram_npm', 'mp-session') }
}

/** miniprogram-ci announces itself on stdout when loaded; keep test output clean. */
function quietly(fn) {
  const log = console.log
  console.log = () => {}
  try {
    return fn()
  } finally {
    console.log = log
  }
}

module.exports = { buildExample, REPO }
