import { defineConfig } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'
import mpSession from 'mp-session/vite'

// The one line mp-session needs: the core goes into the output (mp-weixin, mp-toutiao), or
// the plain entry is used where there is no WebAssembly (mp-qq, mp-baidu, mp-alipay, ...).
export default defineConfig({
  plugins: [uni(), mpSession()],
})
