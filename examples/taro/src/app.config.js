export default {
  pages: ['pages/index/index'],
  window: { navigationBarTitleText: 'mp-session' },
}
