// The page's two lines: create the session, launch it. With no stored session, launch() leaves
// for WeChat's authorize page, which sends the user back here with a code.
import { createSession } from './mp-session/web/index.mjs'

const config = await (await fetch('./config.json')).json()
const session = createSession(config)
const show = (id, text) => {
  const element = document.getElementById(id)
  element.textContent = text
  element.hidden = false
}

try {
  const s = await session.launch()
  document.getElementById('status').textContent = s.source === 'cache' ? 'Welcome back.' : 'Logged in.'
  show('openid', s.openid)
  show('unionid', s.unionid || '—')
  show('source', s.source)
  document.getElementById('session').hidden = false
} catch (error) {
  document.getElementById('status').textContent = 'Not logged in.'
  show('error', error.code + ': ' + error.message)
}
